resource "google_compute_network" "n" {
  for_each = toset([for p in setproduct(range(1000), range(150)) : "${p[0]}-${p[1]}"])
}
