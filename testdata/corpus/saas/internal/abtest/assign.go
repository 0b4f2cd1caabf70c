// Package abtest assigns users to experiment variants and keeps the
// assignment sticky across requests and regions.
package abtest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// Variant is one arm of an experiment.
type Variant struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

// Experiment is a tenant's experiment definition.
type Experiment struct {
	ID       string    `json:"id"`
	Variants []Variant `json:"variants"`
	Paused   bool      `json:"paused"`
}

// Config is all experiments of a tenant.
type Config struct {
	Experiments []Experiment `json:"experiments"`
}

// Assigner hands out variants.
type Assigner struct {
	store *kvstore.Store
	ns    *kv.Namespace
}

// New binds the TENANTS namespace.
func New() (*Assigner, error) {
	st, err := kvstore.Open(config.BindingTenants)
	if err != nil {
		return nil, err
	}
	return &Assigner{store: st, ns: st.Namespace()}, nil
}

func configKey(tenant string) string { return "ab-config:" + tenant }

// LoadConfig reads a tenant's experiments.
func (a *Assigner) LoadConfig(tenant string) (*Config, error) {
	get := a.ns.GetString
	raw, err := get(configKey(tenant), &kv.GetOptions{CacheTTL: 120})
	if err != nil {
		return nil, err
	}
	cfg := &Config{}
	if kvstore.Missing(raw) {
		return cfg, nil
	}
	return cfg, json.Unmarshal([]byte(raw), cfg)
}

func pick(exp Experiment, user string) string {
	sum := sha256.Sum256([]byte(exp.ID + "/" + user))
	n := int(binary.BigEndian.Uint32(sum[:4]) % 10000)
	total := 0
	for _, v := range exp.Variants {
		total += v.Weight
	}
	if total == 0 {
		return "control"
	}
	n %= total
	for _, v := range exp.Variants {
		if n < v.Weight {
			return v.Name
		}
		n -= v.Weight
	}
	return exp.Variants[len(exp.Variants)-1].Name
}

func assignmentTTL() int {
	if s := cloudflare.Getenv("AB_ASSIGNMENT_TTL"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return config.AssignmentTTLDays * 24 * 60 * 60
}

// Assign returns the user's variant, creating a sticky assignment on first
// sight.
func (a *Assigner) Assign(exp Experiment, user string) (string, error) {
	key := "ab:" + exp.ID + ":" + user
	v, err := a.ns.GetString(key, &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		return "", err
	}
	if !kvstore.Missing(v) {
		return v, nil
	}
	variant := pick(exp, user)
	err = a.ns.PutString(key, variant, &kv.PutOptions{
		ExpirationTTL: assignmentTTL(),
	})
	return variant, err
}

// RecordExposure counts how often a variant was shown.
func (a *Assigner) RecordExposure(expID, variant string) error {
	key := fmt.Sprintf("ab-exposures:%s:%s", expID, variant)
	cur, err := a.ns.GetString(key, nil) // DEBATABLE kvnull
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(cur)
	return a.ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

// AssignAll assigns the user in every running experiment concurrently.
func (a *Assigner) AssignAll(cfg *Config, user string) (map[string]string, error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		out  = make(map[string]string, len(cfg.Experiments))
		errs []error
	)
	for _, exp := range cfg.Experiments {
		if exp.Paused || len(exp.Variants) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := a.Assign(exp, user)
			if err == nil {
				err = a.RecordExposure(exp.ID, v)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			out[exp.ID] = v
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// AddVariant appends a variant to an existing experiment.
func (a *Assigner) AddVariant(tenant, expID string, v Variant) error {
	key := configKey(tenant)
	cfg, _, err := kvstore.GetJSON[Config](a.store, key)
	if err != nil {
		return err
	}
	for i := range cfg.Experiments {
		if cfg.Experiments[i].ID == expID {
			cfg.Experiments[i].Variants = append(cfg.Experiments[i].Variants, v)
		}
	}
	return kvstore.PutJSON(a.store, key, cfg, 0) // EXPECT kvrace
}

// Pause stops an experiment; handled through the generic updater.
func (a *Assigner) Pause(tenant, expID string) error {
	return kvstore.Update(a.store, configKey(tenant), func(cfg *Config) error {
		for i := range cfg.Experiments {
			if cfg.Experiments[i].ID == expID {
				cfg.Experiments[i].Paused = true
				return nil
			}
		}
		return fmt.Errorf("abtest: no experiment %q", expID)
	})
}

// Override pins a user to a variant for a short QA session.
func (a *Assigner) Override(expID, user, variant string) error {
	return a.store.PutAtLeast("ab:"+expID+":"+user, variant, 30*time.Second)
}
