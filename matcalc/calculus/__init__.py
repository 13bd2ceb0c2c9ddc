"""The calculus: the expression tree and its sizes, the rule table, the simplifier and its
identities, symmetric variables, matrix functions, and the steps of a derivation."""
