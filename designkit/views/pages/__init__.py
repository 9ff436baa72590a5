"""Whole pages: the article's sections, the HTML handout (and the one that moves with traffic), its
practice appendix, and a batch run's index page."""
