"""Pictures of the architecture from the read and write paths: the graph, the box-drawing diagram, Mermaid."""
