"""Homework sets (placeholder)."""
def load_set_ref(ref):
    return None
