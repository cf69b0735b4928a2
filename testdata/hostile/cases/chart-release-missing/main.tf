resource "helm_release" "app" {
  name  = "app"
  chart = "./nope"
}
