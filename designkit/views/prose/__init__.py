"""Text of the article: Markdown helpers, the figures prose may name (``{{ qps_peak }}``) and their
rendering, the lint for numbers frozen into prose, and practice questions as text."""
