v = "unterminated
