// Command plot draws docs/benchmarks.png from docs/benchmarks.json (written by
// bench/peers.py): wall time against input size for each tool, log-log.
package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

type row struct {
	Size      string  `json:"size"`
	Resources float64 `json:"resources"`
	Objects   float64 `json:"objects"`
	GuardS    float64 `json:"guard_s"`
	ConftestS float64 `json:"conftest_s"`
	KyvernoS  float64 `json:"kyverno_s"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: plot BENCHMARKS.json OUT.png")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	var rows []row
	if err := json.Unmarshal(data, &rows); err != nil {
		fail(err)
	}
	p := plot.New()
	p.Title.Text = "guard and its peers: wall time against input size"
	p.X.Label.Text = "input size (Terraform resources + Kubernetes objects)"
	p.Y.Label.Text = "wall time (s)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs = vg.Points(40)
	series := []struct {
		name  string
		pick  func(row) float64
		color color.RGBA
	}{
		{"guard check (Rego + Kyverno)", func(r row) float64 { return r.GuardS }, color.RGBA{R: 20, G: 110, B: 200, A: 255}},
		{"conftest (Rego)", func(r row) float64 { return r.ConftestS }, color.RGBA{R: 230, G: 130, B: 20, A: 255}},
		{"kyverno apply (Kyverno)", func(r row) float64 { return r.KyvernoS }, color.RGBA{R: 200, G: 30, B: 40, A: 255}},
	}
	for _, s := range series {
		pts := make(plotter.XYs, len(rows))
		for i, r := range rows {
			pts[i].X, pts[i].Y = r.Resources+r.Objects, s.pick(r)
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			fail(err)
		}
		line.Color, points.Color = s.color, s.color
		p.Add(line, points)
		p.Legend.Add(s.name, line, points)
	}
	if err := p.Save(8*vg.Inch, 5*vg.Inch, os.Args[2]); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "plot:", err)
	os.Exit(1)
}
