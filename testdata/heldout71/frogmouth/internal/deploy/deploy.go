// Package deploy owns function deployments: versions, the active version,
// environment variables and the hostnames that route to a function.
package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

var (
	// ErrRouteTaken is returned when a hostname already routes elsewhere.
	ErrRouteTaken = errors.New("deploy: hostname already in use")
	// ErrNoVersion is returned for an unknown version number.
	ErrNoVersion = errors.New("deploy: no such version")
)

// Runtime is the sandbox a function runs in.
type Runtime string

const (
	RuntimeWasm Runtime = "wasm"
	RuntimeJS   Runtime = "js"
)

// Version describes one uploaded build of a function.
type Version struct {
	N         int       `json:"n"`
	Digest    string    `json:"digest"`
	Size      int       `json:"size"`
	Runtime   Runtime   `json:"runtime"`
	CreatedAt time.Time `json:"created_at"`
	Author    string    `json:"author"`
}

// Function is the deployment record of one tenant function.
type Function struct {
	Tenant    string    `json:"tenant"`
	Name      string    `json:"name"`
	Active    int       `json:"active"`
	Versions  []Version `json:"versions"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ActiveVersion returns the version currently serving traffic.
func (f *Function) ActiveVersion() (Version, bool) {
	i := slices.IndexFunc(f.Versions, func(v Version) bool { return v.N == f.Active })
	if i < 0 {
		return Version{}, false
	}
	return f.Versions[i], true
}

// Route maps a hostname to a function.
type Route struct {
	Tenant   string `json:"tenant"`
	Function string `json:"function"`
}

// Service implements the deployment API.
type Service struct {
	fns    *kvstore.Store
	routes *kvstore.Store
}

// NewService returns a deployment service over the functions and routes
// namespaces.
func NewService(fns, routes *kvstore.Store) *Service {
	return &Service{fns: fns, routes: routes}
}

func metaKey(tenant, name string) string { return "fn:" + tenant + ":" + name }

// ArtifactKey is where the code of version n is stored.
func ArtifactKey(tenant, name string, n int) string {
	return fmt.Sprintf("code:%s:%s:v%06d", tenant, name, n)
}

func envKey(tenant, name string) string { return "env:" + tenant + ":" + name }

// Get returns the deployment record, or an empty record for a new function.
func (s *Service) Get(ctx context.Context, tenant, name string) (*Function, error) {
	raw, err := s.fns.Get(ctx, metaKey(tenant, name))
	if errors.Is(err, kvstore.ErrNotFound) {
		return &Function{Tenant: tenant, Name: name}, nil
	}
	if err != nil {
		return nil, err
	}
	var f Function
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("function %s/%s: %w", tenant, name, err)
	}
	return &f, nil
}

func (s *Service) save(ctx context.Context, f *Function) error {
	f.UpdatedAt = time.Now().UTC()
	buf, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return s.fns.Put(ctx, metaKey(f.Tenant, f.Name), buf, 0)
}

// PublishCommand carries an upload from the API layer.
type PublishCommand struct {
	Tenant  string
	Name    string
	Author  string
	Runtime Runtime
	Code    []byte
	Promote bool
}

// Publish stores a new version and, if asked, makes it active.
func (s *Service) Publish(ctx context.Context, cmd PublishCommand) (Version, error) {
	f, err := s.Get(ctx, cmd.Tenant, cmd.Name)
	if err != nil {
		return Version{}, err
	}
	sum := sha256.Sum256(cmd.Code)
	v := Version{
		N:         len(f.Versions) + 1,
		Digest:    hex.EncodeToString(sum[:]),
		Size:      len(cmd.Code),
		Runtime:   cmd.Runtime,
		CreatedAt: time.Now().UTC(),
		Author:    cmd.Author,
	}
	if err := s.fns.PutWithMetadata(ctx, ArtifactKey(cmd.Tenant, cmd.Name, v.N),
		kvstore.Encode(kvstore.KindModule, cmd.Code), 0, v); err != nil {
		return Version{}, err
	}
	f.Versions = append(f.Versions, v)
	if cmd.Promote || f.Active == 0 {
		f.Active = v.N
	}
	if err := s.save(ctx, f); err != nil { // EXPECT kvrace
		return Version{}, err
	}
	return v, nil
}

// Rollback makes an earlier version active again.
func (s *Service) Rollback(ctx context.Context, tenant, name string, n int) error {
	f, err := s.Get(ctx, tenant, name)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(f.Versions, func(v Version) bool { return v.N == n }) {
		return ErrNoVersion
	}
	f.Active = n
	return s.save(ctx, f) // EXPECT kvrace
}

// Code returns the stored artifact of version n.
func (s *Service) Code(ctx context.Context, tenant, name string, n int) ([]byte, error) {
	raw, err := s.fns.Get(ctx, ArtifactKey(tenant, name, n))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoVersion
	}
	if err != nil {
		return nil, err
	}
	fr, err := kvstore.Decode(raw)
	if err != nil {
		return nil, err
	}
	return fr.Payload, nil
}

// Artifacts lists the stored builds of a function with their size and
// digest, newest last, for the "versions" page of the console.
func (s *Service) Artifacts(ctx context.Context, tenant, name string) ([]Version, error) {
	const maxPages = 5
	prefix := fmt.Sprintf("code:%s:%s:", tenant, name)
	var out []Version
	cursor := ""
	for range maxPages {
		page, err := s.fns.List(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			raw, err := s.fns.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			fr, err := kvstore.Decode(raw)
			if err != nil {
				continue
			}
			sum := sha256.Sum256(fr.Payload)
			out = append(out, Version{Digest: hex.EncodeToString(sum[:]), Size: len(fr.Payload), CreatedAt: fr.Written})
		}
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Prune deletes all but the newest keep builds, never the active one.
func (s *Service) Prune(ctx context.Context, tenant, name string, keep int) (int, error) {
	f, err := s.Get(ctx, tenant, name)
	if err != nil {
		return 0, err
	}
	if len(f.Versions) <= keep {
		return 0, nil
	}
	var doomed []string
	for _, v := range f.Versions[:len(f.Versions)-keep] {
		if v.N != f.Active {
			doomed = append(doomed, ArtifactKey(tenant, name, v.N))
		}
	}
	return len(doomed), s.fns.DeleteMany(ctx, doomed)
}

// ClaimRoute points hostname at a function, if nobody else has it.
func (s *Service) ClaimRoute(ctx context.Context, hostname, tenant, name string) error {
	host := strings.ToLower(strings.TrimSuffix(hostname, "."))
	key := "route:" + host
	raw, err := s.routes.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		var cur Route
		if json.Unmarshal(raw, &cur) == nil && (cur.Tenant != tenant || cur.Function != name) {
			return ErrRouteTaken
		}
	}
	buf, _ := json.Marshal(Route{Tenant: tenant, Function: name})
	return s.routes.Put(ctx, key, buf, 0) // EXPECT kvrace
}

// SetEnv sets one environment variable of a function.
func (s *Service) SetEnv(ctx context.Context, tenant, name, key, value string) error {
	vars := map[string]string{}
	raw, err := s.fns.Get(ctx, envKey(tenant, name)) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &vars); err != nil {
			return err
		}
	}
	vars[key] = value
	buf, err := json.Marshal(vars)
	if err != nil {
		return err
	}
	return s.fns.Put(ctx, envKey(tenant, name), buf, 0) // EXPECT kvrace
}
