package test.wrong_test

import data.test.wrong

# Deliberately wrong: deny is never empty.
test_deny_is_empty if count(wrong.deny) == 0
