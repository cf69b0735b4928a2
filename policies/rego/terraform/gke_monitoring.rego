# METADATA
# title: GKE sends metrics to Cloud Monitoring
# description: |
#   Clusters report to Cloud Monitoring: monitoring_service is not "none"
#   (unset is GKE's default, monitoring.googleapis.com/kubernetes), and
#   monitoring_config, where set, keeps the SYSTEM_COMPONENTS metrics (an
#   empty list turns them off). Without them nobody sees a failing node or a
#   region losing capacity before failover is needed.
# custom:
#   id: GKE-019
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.7.1"]
#   peers: ["Trivy AVD-GCP-0052"]
#   remediation: Remove monitoring_service = "none"; keep "SYSTEM_COMPONENTS" in monitoring_config { enable_components = [...] }.
package guard.terraform.gke_monitoring

import data.guard.lib.terraform as tf

components := ["monitoring_config", 0, "enable_components"]

deny contains result if {
	some r in tf.resources("google_container_cluster")
	tf.value(r, ["monitoring_service"], "monitoring.googleapis.com/kubernetes") == "none"
	result := {"msg": sprintf("cluster %s (%s) sends no metrics to Cloud Monitoring (monitoring_service none)", [r.address, tf.region(r)]), "resource": r.id}
}

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown_within(r, components)
	list := object.get(r.values, components, null)
	is_array(list)
	not "SYSTEM_COMPONENTS" in list
	result := {"msg": sprintf("cluster %s (%s) does not report system metrics: monitoring_config components %v", [r.address, tf.region(r), list]), "resource": r.id}
}
