resource "helm_release" "app" {
  name   = "app"
  chart  = "./chart"
  values = ["a: [b"]
}
