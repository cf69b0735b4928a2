package redact

import (
	"strings"
	"testing"

	"github.com/acme/guard/internal/input"
)

func sensitiveInput() *input.Input {
	in := &input.Input{
		Terraform: input.Terraform{Resources: []input.Resource{{
			Address: "google_sql_user.app",
			Values: map[string]any{
				"name": "app", "password": "hunter2-but-longer", "port": "5432",
				"settings": []any{map[string]any{"token": "tok-123456", "tier": "db-f1"}},
			},
			Sensitive: map[string]any{"password": true, "port": true, "settings": []any{map[string]any{"token": true}}},
		}}},
		Kubernetes: input.Kubernetes{Objects: []input.Object{{Object: map[string]any{
			"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "db"},
			"stringData": map[string]any{"url": "postgres://app:hunter2-but-longer@db"},
		}}}},
	}
	in.Finalize()
	return in
}

// A sensitive value never reaches a message; short ones ("5432") are not
// scrubbed from text, where they would garble every message.
func TestString(t *testing.T) {
	red := New(sensitiveInput())
	got := red.String("password hunter2-but-longer, token tok-123456, port 5432")
	if want := "password (sensitive value), token (sensitive value), port 5432"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := New(&input.Input{}).String("nothing to hide"); got != "nothing to hide" {
		t.Errorf("without secrets: %q", got)
	}
}

// Input masks every marked Terraform value, however short, and known
// secrets inside the strings of Kubernetes objects.
func TestInput(t *testing.T) {
	in := sensitiveInput()
	New(in).Input(in)
	v := in.Terraform.Resources[0].Values
	if v["password"] != Placeholder || v["port"] != Placeholder || v["name"] != "app" {
		t.Errorf("values %v", v)
	}
	s := v["settings"].([]any)[0].(map[string]any)
	if s["token"] != Placeholder || s["tier"] != "db-f1" {
		t.Errorf("nested %v", s)
	}
	url := in.Kubernetes.Objects[0].Object["stringData"].(map[string]any)["url"].(string)
	if strings.Contains(url, "hunter2") || url != "postgres://app:(sensitive value)@db" {
		t.Errorf("object %q", url)
	}
}
