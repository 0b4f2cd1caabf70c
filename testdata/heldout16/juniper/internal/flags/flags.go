// Package flags serves feature flags and sticky A/B assignments for the
// booking widget and the venue console.
package flags

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/records"
)

const flagPrefix = "flag/"

// Assignments are a pure function of the subject hash, so they are cheap to
// recompute; keeping them short-lived lets rollout changes land quickly.
const assignmentTTLSeconds = 45

// Flag is one feature flag or experiment.
type Flag struct {
	Name     string   `json:"name"`
	Enabled  bool     `json:"enabled"`
	Rollout  int      `json:"rollout"` // percent of subjects in a non-control variant
	Variants []string `json:"variants,omitempty"`
}

// Service reads and writes flags in the flags namespace.
type Service struct {
	ns          cfapi.Namespace
	experiments []string
	now         func() time.Time
}

// New returns a flag service evaluating the given experiments.
func New(ns cfapi.Namespace, experiments []string) *Service {
	return &Service{ns: ns, experiments: experiments, now: time.Now}
}

func (s *Service) flag(ctx context.Context, name string) Flag {
	raw, _ := s.ns.GetBytes(ctx, flagPrefix+name) // EXPECT kvnull
	f := Flag{Name: name}
	_ = json.Unmarshal(raw, &f)
	return f
}

// Enabled reports whether the named flag is on.
func (s *Service) Enabled(ctx context.Context, name string) bool { return s.flag(ctx, name).Enabled }

// All lists every flag with its state, read from key metadata.
func (s *Service) All(ctx context.Context) ([]Flag, error) {
	page, err := s.ns.Client.KV.Namespaces.Keys.List(ctx, s.ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.ns.AccountID),
		Prefix:    cloudflare.F(flagPrefix),
	})
	if err != nil {
		return nil, err
	}
	out := make([]Flag, 0, len(page.Result))
	for _, k := range page.Result {
		m, _ := k.Metadata.(map[string]any)
		enabled, _ := m["enabled"].(bool)
		rollout, _ := m["rollout"].(float64)
		out = append(out, Flag{Name: strings.TrimPrefix(k.Name, flagPrefix), Enabled: enabled, Rollout: int(rollout)})
	}
	return out, nil
}

// Set stores f, with a compact copy of its state in the key metadata so All
// does not need to fetch values.
func (s *Service) Set(ctx context.Context, actor string, f Flag) error {
	prev := s.flag(ctx, f.Name)
	body, _ := json.Marshal(f)
	_, err := s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, url.PathEscape(flagPrefix+f.Name), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(string(body)),
		Metadata:  cloudflare.F[any](map[string]any{"enabled": f.Enabled, "rollout": f.Rollout}),
	})
	slog.InfoContext(ctx, "flag changed", "flag", f.Name, "by", actor, "was", prev, "now", f, "err", err)
	return err
}

// Assign returns subject's sticky variant of experiment exp.
func (s *Service) Assign(ctx context.Context, exp, subject string) (string, error) {
	key := records.Hash("exp/"+exp+"/", subject)
	if v, err := s.ns.GetString(ctx, key); err == nil {
		return v, nil
	} else if !cfapi.IsNotFound(err) {
		return "", err
	}
	f := s.flag(ctx, exp)
	variant := "control"
	if h := fnv.New32a(); f.Enabled && len(f.Variants) > 0 {
		h.Write([]byte(exp + ":" + records.Normalize(subject)))
		if n := int(h.Sum32() % 100); n < f.Rollout {
			variant = f.Variants[n%len(f.Variants)]
		}
	}
	if err := s.ns.Put(ctx, key, []byte(variant), assignmentTTLSeconds); err != nil { // EXPECT kvttl
		return "", err
	}
	return variant, nil
}

func (s *Service) recordExposure(ctx context.Context, exp, variant string) error {
	key := "exposures/" + exp + "/" + variant
	n := 0
	cur, err := s.ns.GetString(ctx, key)
	switch {
	case cfapi.IsNotFound(err):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(cur); err != nil {
			return err
		}
	}
	return s.ns.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter
}

// ServeEvaluate answers the widget's flag bootstrap request:
// GET /v1/flags/evaluate?subject=<visitor id>.
func (s *Service) ServeEvaluate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	subject := r.URL.Query().Get("subject")
	if subject == "" {
		http.Error(w, "subject required", http.StatusBadRequest)
		return
	}
	out := make(map[string]string, len(s.experiments))
	for _, exp := range s.experiments {
		v, err := s.Assign(ctx, exp, subject)
		if err != nil {
			slog.WarnContext(ctx, "assignment failed", "experiment", exp, "err", err)
			v = "control"
		}
		out[exp] = v
		if err := s.recordExposure(ctx, exp, v); err != nil {
			slog.DebugContext(ctx, "exposure not recorded", "experiment", exp, "err", err)
		}
	}
	stamp := []byte(s.now().UTC().Format(time.RFC3339))
	if err := s.ns.Put(ctx, "flags/last-evaluated", stamp, 0); err != nil { // EXPECT kvhotkey
		slog.DebugContext(ctx, "evaluation stamp not written", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
