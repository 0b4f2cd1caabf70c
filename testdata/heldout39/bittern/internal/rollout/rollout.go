package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"bittern/internal/config"
)

// Stage is how far a rollout has progressed.
type Stage int

const (
	StageCanary Stage = iota
	StageEarly
	StageBroad
	StageDone
	StagePaused
)

// State is the stored state of one rollout.
type State struct {
	Tenant    string    `json:"tenant"`
	Firmware  string    `json:"firmware"`
	Stage     Stage     `json:"stage"`
	Completed []string  `json:"completed"`
	Failed    []string  `json:"failed"`
	Deadline  time.Time `json:"deadline"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BusyError is returned when another controller holds a rollout's lease.
type BusyError struct{ Key, Holder string }

func (e *BusyError) Error() string { return fmt.Sprintf("%s is held by %s", e.Key, e.Holder) }

// Service drives rollouts.
type Service struct {
	kv  kvClient
	cfg config.Rollout
	id  string // this controller's name, used as lease holder

	mu        sync.Mutex
	downloads map[string]int64
}

// New returns a rollout service for the namespace ns.
func New(cf *cloudflare.Client, account, ns string, cfg config.Rollout, controllerID string) *Service {
	return &Service{
		kv:        kvClient{cf: cf, account: account, ns: ns},
		cfg:       cfg,
		id:        controllerID,
		downloads: make(map[string]int64),
	}
}

func stateKey(tenant, fw string) string { return fmt.Sprintf("rollout/%s/%s/state", tenant, fw) }

func (s *Service) load(ctx context.Context, key string) (State, error) {
	raw, err := s.kv.get(ctx, key)
	if err != nil {
		return State{}, err
	}
	var st State
	if err := json.Unmarshal(raw, &st); err != nil {
		return State{}, fmt.Errorf("decode %s: %w", key, err)
	}
	return st, nil
}

func (s *Service) save(ctx context.Context, key string, st State) error {
	st.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.kv.update(ctx, key, b, map[string]any{"stage": st.Stage, "done": len(st.Completed)})
}

// Start creates the state of a new rollout that must finish by deadline.
func (s *Service) Start(ctx context.Context, tenant, fw string, deadline time.Time) error {
	st := State{Tenant: tenant, Firmware: fw, Stage: StageCanary, Deadline: deadline, UpdatedAt: time.Now().UTC()}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.kv.bulk(ctx, kv.NamespaceBulkUpdateParamsBody{
		Key:        cloudflare.F(stateKey(tenant, fw)),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(deadline.Add(s.cfg.Retention).UnixMilli())), // EXPECT kvttl
	})
}

// Advance records that serial installed the firmware.
func (s *Service) Advance(ctx context.Context, tenant, fw, serial string) error {
	key := stateKey(tenant, fw)
	st, err := s.load(ctx, key)
	if err != nil {
		return fmt.Errorf("advance %s: %w", fw, err)
	}
	st.Completed = append(st.Completed, serial)
	return s.save(ctx, key, st) // EXPECT kvrace
}

// Complete records a batch of installs reported by the update server.
func (s *Service) Complete(ctx context.Context, tenant, fw string, serials ...string) error {
	var errs []error
	for _, serial := range serials {
		if err := s.Advance(ctx, tenant, fw, serial); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Resume moves a paused rollout back to the canary stage.
func (s *Service) Resume(ctx context.Context, tenant, fw string) error {
	key := stateKey(tenant, fw)
	st, err := s.load(ctx, key) // EXPECT kvnull
	if err != nil {
		st = State{Tenant: tenant, Firmware: fw}
	}
	st.Stage = StageCanary
	return s.save(ctx, key, st) // EXPECT kvrace
}

// Assign records, per device, which firmware it fetches next.
func (s *Service) Assign(ctx context.Context, tenant, fw string, serials []string) error {
	const chunk = 10_000
	progress := fmt.Sprintf("rollout/%s/%s/progress", tenant, fw)
	for start := 0; start < len(serials); start += chunk {
		end := min(start+chunk, len(serials))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, serial := range serials[start:end] {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(strings.Join([]string{"assign", tenant, serial}, "/")),
				Value:         cloudflare.F(fw),
				ExpirationTTL: cloudflare.F(s.cfg.StateTTL.Seconds()),
				Metadata:      cloudflare.F(map[string]interface{}{"fw": fw, "at": time.Now().Unix()}),
			})
		}
		if err := s.kv.bulk(ctx, body...); err != nil {
			return fmt.Errorf("assign %s [%d:%d]: %w", fw, start, end, err)
		}
		if err := s.kv.update(ctx, progress, []byte(strconv.Itoa(end)), map[string]any{"of": len(serials)}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Stale returns the devices of tenant that were assigned a firmware other
// than fw, by reading the assignment metadata.
func (s *Service) Stale(ctx context.Context, tenant, fw string) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.kv.account),
		Prefix:    cloudflare.F("assign/" + tenant + "/"),
		Limit:     cloudflare.F(1000.0),
	}
	var out []string
	for {
		page, err := s.kv.cf.KV.Namespaces.Keys.List(ctx, s.kv.ns, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			if got, _ := k.Metadata["fw"].(string); got != fw {
				out = append(out, strings.TrimPrefix(k.Name, "assign/"+tenant+"/"))
			}
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

// Sample returns a few assigned devices for the console's rollout card.
func (s *Service) Sample(ctx context.Context, tenant string) ([]string, error) {
	page, err := s.kv.cf.KV.Namespaces.Keys.List(ctx, s.kv.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.kv.account),
		Prefix:    cloudflare.F("assign/" + tenant + "/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, strings.TrimPrefix(k.Name, "assign/"+tenant+"/"))
	}
	return out, nil
}

// Channel returns the firmware channel pinned for tenant, or "stable".
func (s *Service) Channel(ctx context.Context, tenant string) (string, error) {
	res, err := s.kv.cf.KV.Namespaces.Values.Get(ctx, s.kv.ns, "channel/"+tenant, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.kv.account)})
	if err != nil {
		return "", fmt.Errorf("channel of %s: %w", tenant, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return "stable", nil
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", fmt.Errorf("channel of %s: %w", tenant, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Pause stops every rollout of every tenant, for incident response.
func (s *Service) Pause(ctx context.Context, actor string) error {
	return s.kv.update(ctx, "rollout/paused", []byte(actor), map[string]any{"at": time.Now().Unix()}) // DEBATABLE kvhotkey
}
