package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/acme/guard/internal/limits"
)

// Process control lives here alone: the packages below cmd take a context
// and options, and never exit, read the environment or tune the runtime.

// watchTime gives the command's context the run's time limit and a
// Progress, and ends the process (exit 2) when the limit passes, saying
// what the run was busy with. The context's deadline stops the work that
// looks at it; the exit stops what cannot (an expression can be slow beyond
// any size limit: Terraform's toset of a 150,000-element tuple is quadratic
// in go-cty). Nothing guard does is worth a partial result: a gate that
// gives up must say so, never pass.
func watchTime(cmd *cobra.Command, l limits.Limits) {
	progress := &limits.Progress{}
	ctx, cancel := context.WithTimeout(limits.WithProgress(cmd.Context(), progress), l.Time)
	cmd.SetContext(ctx)
	time.AfterFunc(l.Time, func() {
		cancel()
		what := progress.String()
		if what != "" {
			what = " while " + what
		}
		fmt.Fprintf(os.Stderr, "guard: gave up after %s%s: the time limit (raise it with --limit time=DURATION)\n", l.Time, what)
		os.Exit(2)
	})
}

// memoryTuner sets Go's soft memory limit as the inputs are read, unless
// GOMEMLIMIT is set: a floor of 640 MiB, or 7 times the bytes of the plan
// and manifest files read so far. The live heap is about 4 times the input
// at its peak (the decoded plan and manifests while they load; later the
// Kubernetes objects and OPA's interned AST of the input); the limit leaves
// the collector room above it. Below the limit the collector runs as
// seldom as GOGC=400 lets it (a check is a short batch run whose heap is
// mostly its input); near it, as often as needed to stay there. At 10,000
// resources and 10,000 objects that keeps the peak RSS under 800 MB instead
// of 1.2 GB, and at 100,000 of each under 4 GB.
func memoryTuner() (reading func(bytes int64)) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	const floor = int64(640) << 20
	debug.SetMemoryLimit(floor)
	var total atomic.Int64
	return func(bytes int64) {
		if limit := 7 * total.Add(bytes); limit > floor {
			debug.SetMemoryLimit(limit)
		}
	}
}

// policyTrace is where the Rego engine writes each query's time, when
// GUARD_TRACE_POLICIES is set (for profiling policies).
func policyTrace() io.Writer {
	if os.Getenv("GUARD_TRACE_POLICIES") != "" {
		return os.Stderr
	}
	return nil
}
