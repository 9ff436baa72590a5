"""The views: the model's numbers as Markdown, charts and HTML (the article, the handout, the index).

Import the module you need (``from designkit.views.pages import article``): a chart pulls in
matplotlib, which the quick commands never load.
"""
