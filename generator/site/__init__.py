"""Stage 3, site: a view → pages, data files and charts → MkDocs → a published site."""
