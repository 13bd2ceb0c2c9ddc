"""The front end's middle: the parser's untyped syntax tree (syntax), the sizes that the
operations imply, solved by unification (infer), and the typed tree built from both (elaborate)."""
