// Package flags serves feature flags and experiment assignments to the
// dashboard and to edge SDKs.
package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/store"
)

// schemaVersion is the envelope version written by this code.
const schemaVersion = 2

// envelope wraps every stored flag so old records can be upgraded on read.
type envelope struct {
	V    int             `json:"v"`
	Data json.RawMessage `json:"data"`
}

// flagV1 is the format written before targeting rules existed.
type flagV1 struct {
	Key     string `json:"key"`
	Enabled bool   `json:"enabled"`
}

// Rule turns a flag on for requests whose attribute matches one of Values.
type Rule struct {
	Attribute string   `json:"attribute"`
	Values    []string `json:"values"`
	On        bool     `json:"on"`
}

// Flag is the current flag format.
type Flag struct {
	Key       string    `json:"key"`
	Default   bool      `json:"default"`
	Rollout   int       `json:"rollout"` // percent of users, 0-100
	Rules     []Rule    `json:"rules,omitempty"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

var (
	ErrUnknownFlag = httpx.Errorf(http.StatusNotFound, "flag_not_found", "no such flag")
	ErrConflict    = httpx.Errorf(http.StatusConflict, "flag_version_conflict", "flag was changed by someone else; reload and retry")
)

func flagKey(key string) string { return "flag/" + key }

// Service reads and edits flag definitions.
type Service struct {
	st  store.Store
	now func() time.Time
	log *slog.Logger
}

// NewService returns a flag service.
func NewService(st store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{st: st, now: time.Now, log: log}
}

func encode(f Flag) (string, error) {
	data, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(envelope{V: schemaVersion, Data: data})
	return string(b), err
}

// upgrade decodes any known envelope version into the current format.
func upgrade(env envelope) (f Flag, upgraded bool, err error) {
	switch env.V {
	case 1:
		var old flagV1
		if err := json.Unmarshal(env.Data, &old); err != nil {
			return Flag{}, false, err
		}
		f = Flag{Key: old.Key, Default: old.Enabled, Version: 1}
		if old.Enabled {
			f.Rollout = 100
		}
		return f, true, nil
	case schemaVersion:
		return f, false, json.Unmarshal(env.Data, &f)
	default:
		return Flag{}, false, fmt.Errorf("flags: unknown schema version %d", env.V)
	}
}

// Get returns a flag, migrating old records to the current schema.
func (s *Service) Get(ctx context.Context, key string) (Flag, error) {
	raw, err := s.st.Get(ctx, flagKey(key))
	if store.IsNotFound(err) {
		return Flag{}, ErrUnknownFlag
	}
	if err != nil {
		return Flag{}, err
	}
	var env envelope
	if err := json.Unmarshal([]byte(raw), &env); err != nil {
		return Flag{}, fmt.Errorf("flags: %s: %w", key, err)
	}
	f, upgraded, err := upgrade(env)
	if err != nil {
		return Flag{}, err
	}
	if upgraded {
		body, err := encode(f)
		if err == nil {
			err = s.st.Put(ctx, flagKey(key), body, 0) // DEBATABLE kvrace
		}
		if err != nil {
			s.log.Warn("flag upgrade not saved", "flag", key, "err", err)
		}
	}
	return f, nil
}

// UpdateRequest edits a flag. IfVersion must match the stored version.
type UpdateRequest struct {
	Key       string `json:"key"`
	IfVersion int    `json:"if_version"`
	Default   *bool  `json:"default,omitempty"`
	Rollout   *int   `json:"rollout,omitempty"`
	Rules     []Rule `json:"rules,omitempty"`
	By        string `json:"by"`
}

// Update applies req if nobody changed the flag since the caller read it.
func (s *Service) Update(ctx context.Context, req UpdateRequest) (Flag, error) {
	cur, err := s.Get(ctx, req.Key)
	if err != nil {
		return Flag{}, err
	}
	if cur.Version != req.IfVersion {
		return Flag{}, ErrConflict
	}
	if req.Default != nil {
		cur.Default = *req.Default
	}
	if req.Rollout != nil {
		if *req.Rollout < 0 || *req.Rollout > 100 {
			return Flag{}, httpx.Errorf(http.StatusBadRequest, "bad_rollout", "rollout must be 0-100")
		}
		cur.Rollout = *req.Rollout
	}
	if req.Rules != nil {
		cur.Rules = req.Rules
	}
	cur.Version++
	cur.UpdatedAt = s.now().UTC()
	cur.UpdatedBy = req.By
	body, err := encode(cur)
	if err != nil {
		return Flag{}, err
	}
	if err := s.st.Put(ctx, flagKey(req.Key), body, 0); err != nil { // EXPECT kvrace
		return Flag{}, err
	}
	return cur, nil
}

// Names lists the flags shown in the dashboard's flag picker.
func (s *Service) Names(ctx context.Context) ([]string, error) {
	page, err := s.st.List(ctx, store.ListQuery{Prefix: "flag/"}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, strings.TrimPrefix(k, "flag/"))
	}
	return names, nil
}
