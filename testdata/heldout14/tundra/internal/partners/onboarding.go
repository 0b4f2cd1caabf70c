// Package partners manages partner accounts: onboarding, profiles, the public
// directory and per-partner settings.
package partners

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"time"

	"example.com/tundra/internal/entity"
	"example.com/tundra/internal/storage"
	"example.com/tundra/internal/tenant"
)

// Profile is the partner's account record.
type Profile struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Plan      string    `json:"plan"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StoreKey implements entity.Entity.
func (p Profile) StoreKey() string { return p.ID }

var (
	ErrSlugTaken    = errors.New("partners: slug already taken")
	ErrBadSlug      = errors.New("partners: slug must be 3-40 lowercase letters, digits or dashes")
	ErrNoPartner    = errors.New("partners: no such partner")
	ErrStaleVersion = errors.New("partners: profile was changed by someone else")
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,39}$`)

// Step is one action of a saga with its undo.
type Step struct {
	Name       string
	Run        func(ctx context.Context) error
	Compensate func(ctx context.Context) error
}

// runSaga runs steps in order; on failure it undoes the completed ones in
// reverse order and returns the original error.
func runSaga(ctx context.Context, log *slog.Logger, steps []Step) error {
	for i, s := range steps {
		if err := s.Run(ctx); err != nil {
			for j := i - 1; j >= 0; j-- {
				if steps[j].Compensate == nil {
					continue
				}
				if cerr := steps[j].Compensate(ctx); cerr != nil {
					log.Error("compensation failed", "step", steps[j].Name, "err", cerr)
				}
			}
			return fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return nil
}

// Onboarding creates a partner account.
type Onboarding struct {
	Store    storage.Store
	Profiles entity.Repo[Profile]
	Now      func() time.Time
	Log      *slog.Logger
}

// OnboardCommand is the sign-up form.
type OnboardCommand struct {
	PartnerID  string
	Slug       string
	Name       string
	Plan       string
	WebhookURL string
}

// Execute runs the onboarding saga.
func (o *Onboarding) Execute(ctx context.Context, cmd OnboardCommand) (Profile, error) {
	if !slugRE.MatchString(cmd.Slug) {
		return Profile{}, ErrBadSlug
	}
	now := o.Now().UTC()
	prof := Profile{ID: cmd.PartnerID, Slug: cmd.Slug, Name: cmd.Name, Plan: cmd.Plan, Version: 1, CreatedAt: now, UpdatedAt: now}
	scoped := tenant.Scope(o.Store, cmd.PartnerID)

	steps := []Step{
		{
			Name:       "claim-slug",
			Run:        func(ctx context.Context) error { return o.claimSlug(ctx, prof.Slug, prof.ID) },
			Compensate: func(ctx context.Context) error { return o.release(ctx, "slug:"+prof.Slug) },
		},
		{
			Name:       "profile",
			Run:        func(ctx context.Context) error { return o.Profiles.Save(ctx, prof) },
			Compensate: func(ctx context.Context) error { return o.Profiles.Remove(ctx, prof) },
		},
		{
			Name: "endpoints",
			Run: func(ctx context.Context) error {
				if cmd.WebhookURL == "" {
					return nil
				}
				return addEndpoint(ctx, scoped, cmd.WebhookURL)
			},
		},
		{
			Name: "touch-directory",
			Run: func(ctx context.Context) error {
				stamp := []byte(now.Format(time.RFC3339))
				return o.Store.Put(ctx, "partners:updated_at", stamp, storage.WriteOpts{}) // EXPECT kvhotkey
			},
		},
	}
	if err := runSaga(ctx, o.Log, steps); err != nil {
		return Profile{}, err
	}
	return prof, nil
}

func (o *Onboarding) claimSlug(ctx context.Context, slug, partnerID string) error {
	key := "slug:" + slug
	if _, err := o.Store.Get(ctx, key); err == nil {
		return ErrSlugTaken
	} else if !storage.IsNotFound(err) {
		return err
	}
	return o.Store.Put(ctx, key, []byte(partnerID), storage.WriteOpts{Metadata: map[string]any{"partner": partnerID}}) // EXPECT kvrace
}

func (o *Onboarding) release(ctx context.Context, key string) error {
	if d, ok := o.Store.(storage.Deleter); ok {
		return d.Delete(ctx, key)
	}
	return storage.ErrUnsupported
}

// addEndpoint registers a webhook URL for the partner if it is new.
func addEndpoint(ctx context.Context, st storage.Store, url string) error {
	var urls []string
	raw, err := st.Get(ctx, "endpoints")
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &urls); err != nil {
			return err
		}
	case !storage.IsNotFound(err):
		return err
	}
	if slices.Contains(urls, url) {
		return nil
	}
	urls = append(urls, url)
	raw, err = json.Marshal(urls)
	if err != nil {
		return err
	}
	return st.Put(ctx, "endpoints", raw, storage.WriteOpts{}) // EXPECT kvrace
}

// UpdateProfile changes a partner's name or plan. Clients send back the
// version they read, and stale edits are refused.
type UpdateProfile struct {
	Profiles entity.Repo[Profile]
	Now      func() time.Time
}

// ProfilePatch is the edit form.
type ProfilePatch struct {
	ID      string
	Version int
	Name    string
	Plan    string
}

// Execute applies the patch.
func (u UpdateProfile) Execute(ctx context.Context, p ProfilePatch) (Profile, error) {
	opt, err := u.Profiles.Find(ctx, p.ID)
	if err != nil {
		return Profile{}, err
	}
	cur, ok := opt.Get()
	if !ok {
		return Profile{}, ErrNoPartner
	}
	if cur.Version != p.Version {
		return Profile{}, ErrStaleVersion
	}
	if p.Name != "" {
		cur.Name = p.Name
	}
	if p.Plan != "" {
		cur.Plan = p.Plan
	}
	cur.Version++
	cur.UpdatedAt = u.Now().UTC()
	if err := u.Profiles.Save(ctx, cur); err != nil { // EXPECT kvrace
		return Profile{}, err
	}
	return cur, nil
}
