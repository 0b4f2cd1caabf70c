package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// envelope carries what a request's stages read and set.
type envelope struct{ tenant string }

// stage is one step of a request's pipeline.
type stage func(env *envelope) error

func runStages(env *envelope, stages ...stage) error {
	for _, s := range stages {
		if err := s(env); err != nil {
			return err
		}
	}
	return nil
}

// A stage built for each request and run by the pipeline writes its
// fixed key on every request.
func stampLastServed(ns *kv.Namespace) stage { // want stampLastServed:"kvhotkey"
	return func(env *envelope) error {
		return ns.PutString("edge:last-served", time.Now().UTC().Format(time.RFC3339Nano), nil) // want `this handler writes the same KV key on every request`
	}
}

func handleServe(ns *kv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = runStages(&envelope{tenant: r.Host}, stampLastServed(ns))
	}
}

// Quiet: a stage built once, at start-up, by a function no handler calls.
func stampStarted(ns *kv.Namespace) stage {
	return func(env *envelope) error {
		return ns.PutString("edge:last-started", time.Now().UTC().Format(time.RFC3339Nano), nil)
	}
}

func startUp(ns *kv.Namespace) error {
	return stampStarted(ns)(&envelope{})
}
