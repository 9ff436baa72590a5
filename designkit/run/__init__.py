"""Running notebooks: fragments, warm kernels, the article build, batch runs, the lab and skeletons."""
