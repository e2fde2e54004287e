"""The limits shared by our own readers of untrusted text (``grader.parse.answer``, ``grader.parse.latex``)."""

MAX_LENGTH = 200  # characters of an answer (after strip)
MAX_EXPONENT = 1000  # |exponent| cap for ^ / ** and for the power of ten in scientific notation
MAX_NODES = 200  # tokens in one answer
MAX_DEPTH = 32  # nesting of parentheses, signs and powers (keeps recursion far below the interpreter limit)
MAX_EXACT_DIGITS = 2000  # size cap of an exact numerator/denominator (decimal digits, approximately)
