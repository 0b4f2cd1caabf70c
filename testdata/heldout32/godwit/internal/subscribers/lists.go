package subscribers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
)

// ErrSlugTaken is returned when another list already uses the public slug.
var ErrSlugTaken = errors.New("list slug already in use")

// List is a mailing list of an account.
type List struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	DoubleOpt bool      `json:"double_opt_in"`
	UpdatedAt time.Time `json:"updated_at"`
}

type slugOwner struct {
	Account string `json:"account"`
	ListID  string `json:"list_id"`
}

// CreateList registers a list and claims its public slug (the hosted signup
// page lives at /s/<slug>).
func (s *Service) CreateList(ctx context.Context, account string, l List) error {
	slugKey := keys.Build(keys.ListSlug, l.Slug)
	if _, err := s.base.Get(ctx, slugKey); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	owner, _ := json.Marshal(slugOwner{Account: account, ListID: l.ID})
	if err := s.base.Put(ctx, slugKey, owner, kvstore.PutOptions{}); err != nil { // EXPECT kvrace
		return err
	}
	return s.saveList(ctx, s.scoped(account), l)
}

// ResolveSlug finds the account and list behind a public slug.
func (s *Service) ResolveSlug(ctx context.Context, slug string) (account, listID string, err error) {
	raw, err := s.base.Get(ctx, keys.Build(keys.ListSlug, slug))
	if err != nil {
		return "", "", err
	}
	var o slugOwner
	if err := json.Unmarshal(raw, &o); err != nil {
		return "", "", err
	}
	return o.Account, o.ListID, nil
}

func (s *Service) saveList(ctx context.Context, st kvstore.Store, l List) error {
	l.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return st.Put(ctx, keys.Build(keys.ListMeta, l.ID), raw, kvstore.PutOptions{})
}

// addMember records a subscriber in the list's member index.
func (s *Service) addMember(ctx context.Context, st kvstore.Store, listID, hash string) error {
	return kvstore.Atomically(ctx, st, keys.Build(keys.ListMembers, listID), kvstore.PutOptions{}, func(old []byte) ([]byte, error) {
		var members []string
		if old != nil {
			if err := json.Unmarshal(old, &members); err != nil {
				return nil, err
			}
		}
		if slices.Contains(members, hash) {
			return nil, kvstore.ErrSkip
		}
		return json.Marshal(append(members, hash))
	})
}

// JoinList adds an existing subscriber to a list.
func (s *Service) JoinList(ctx context.Context, account, listID, email string) error {
	return s.addMember(ctx, s.scoped(account), listID, EmailHash(email))
}
