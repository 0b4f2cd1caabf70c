package flags

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/store/memstore"
)

func seedV1(t *testing.T, st *memstore.Store, key string, on bool) {
	t.Helper()
	data, _ := json.Marshal(flagV1{Key: key, Enabled: on})
	body, _ := json.Marshal(envelope{V: 1, Data: data})
	if err := st.Put(context.Background(), flagKey(key), string(body), 0); err != nil {
		t.Fatal(err)
	}
}

func TestGetUpgradesV1(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seedV1(t, st, "new-billing", true)
	s := NewService(st, nil)
	f, err := s.Get(ctx, "new-billing")
	if err != nil || !f.Default || f.Rollout != 100 {
		t.Fatalf("got %+v, %v", f, err)
	}
	raw, _ := st.Get(ctx, flagKey("new-billing"))
	var env envelope
	_ = json.Unmarshal([]byte(raw), &env)
	if env.V != schemaVersion {
		t.Fatalf("stored version %d", env.V)
	}
}

func TestUpdateVersionCheck(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seedV1(t, st, "dark-mode", false)
	s := NewService(st, nil)
	rollout := 25
	f, err := s.Update(ctx, UpdateRequest{Key: "dark-mode", IfVersion: 1, Rollout: &rollout})
	if err != nil || f.Version != 2 {
		t.Fatalf("got %+v, %v", f, err)
	}
	if _, err := s.Update(ctx, UpdateRequest{Key: "dark-mode", IfVersion: 1, Rollout: &rollout}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
}

func TestEvaluateRules(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	seedV1(t, st, "beta", false)
	s := NewService(st, nil)
	on := true
	if _, err := s.Update(ctx, UpdateRequest{Key: "beta", IfVersion: 1, Default: &on, Rules: []Rule{{Attribute: "plan", Values: []string{"free"}, On: false}}}); err != nil {
		t.Fatal(err)
	}
	e := NewEvaluator(s, st, nil)
	v, err := e.Evaluate(ctx, EvalRequest{Flag: "beta", Org: "acme", UserID: "u1", Attributes: map[string]string{"plan": "free"}})
	if err != nil || v.On || v.Reason != "rule:plan" {
		t.Fatalf("got %+v, %v", v, err)
	}
}

func TestAssignIsStable(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	bus := events.New(nil)
	x := NewExperiments(st, bus, map[string][]string{"onboarding": {"control", "checklist"}})
	events.Subscribe(bus, "exposures", x.OnExposure)
	a, err := x.Assign(ctx, AssignRequest{Experiment: "onboarding", UserID: "u1"})
	if err != nil || !a.New {
		t.Fatalf("first: %+v %v", a, err)
	}
	b, err := x.Assign(ctx, AssignRequest{Experiment: "onboarding", UserID: "u1"})
	if err != nil || b.New || b.Variant != a.Variant {
		t.Fatalf("second: %+v %v", b, err)
	}
	sum, err := x.Summarize(ctx, "onboarding")
	if err != nil || sum[a.Variant] != 1 {
		t.Fatalf("summary %v %v", sum, err)
	}
}
