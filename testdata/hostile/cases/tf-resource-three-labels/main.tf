resource "a" "b" "c" {}
