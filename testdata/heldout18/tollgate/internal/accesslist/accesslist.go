// Package accesslist keeps per-tenant IP allow and deny lists and the global
// list of revoked API key ids.
package accesslist

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"

	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
)

const revokedKeysKey = "revoked-api-keys"

// Service reads and edits access lists.
type Service struct {
	load storage.GetterFunc
	save storage.PutterFunc
}

// New builds the service on st.
func New(st storage.Store) *Service {
	return &Service{load: st.Get, save: st.Put}
}

func listKey(t domain.TenantID, kind domain.ListKind) string {
	return "acl:" + string(kind) + ":" + string(t)
}

// Lookup returns the list, or an empty one when none was saved.
func (s *Service) Lookup(ctx context.Context, t domain.TenantID, kind domain.ListKind) (domain.AccessList, error) {
	list := domain.AccessList{TenantID: t, Kind: kind}
	raw, err := s.load(ctx, listKey(t, kind))
	if storage.IsNotFound(err) {
		return list, nil
	}
	if err != nil {
		return list, err
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return list, fmt.Errorf("accesslist: decode %s: %w", listKey(t, kind), err)
	}
	return list, nil
}

// Check reports whether addr may call on behalf of tenant: not denied, and
// allowed when an allow list exists.
func (s *Service) Check(ctx context.Context, t domain.TenantID, addr netip.Addr) (bool, error) {
	deny, err := s.Lookup(ctx, t, domain.Deny)
	if err != nil {
		return false, err
	}
	if deny.Contains(addr) {
		return false, nil
	}
	allow, err := s.Lookup(ctx, t, domain.Allow)
	if err != nil {
		return false, err
	}
	return len(allow.Entries) == 0 || allow.Contains(addr), nil
}

// Add appends a CIDR prefix to one of the tenant's lists.
func (s *Service) Add(ctx context.Context, t domain.TenantID, kind domain.ListKind, cidr string) error {
	if _, err := netip.ParsePrefix(cidr); err != nil {
		return err
	}
	list, err := s.Lookup(ctx, t, kind)
	if err != nil {
		return err
	}
	if slices.Contains(list.Entries, cidr) {
		return nil
	}
	list.Entries = append(list.Entries, cidr)
	list.Version++
	raw, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.save(ctx, listKey(t, kind), raw, storage.PutOptions{}) // EXPECT kvrace
}

// Remove drops a CIDR prefix from one of the tenant's lists.
func (s *Service) Remove(ctx context.Context, t domain.TenantID, kind domain.ListKind, cidr string) error {
	var list domain.AccessList
	raw, err := s.load(ctx, listKey(t, kind)) // EXPECT kvnull
	if err != nil {
		list = domain.AccessList{TenantID: t, Kind: kind}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return err
	}
	list.Entries = slices.DeleteFunc(list.Entries, func(e string) bool { return e == cidr })
	list.Version++
	if raw, err = json.Marshal(list); err != nil {
		return err
	}
	return s.save(ctx, listKey(t, kind), raw, storage.PutOptions{}) // EXPECT kvrace
}

// DenyKey adds id to the global list of revoked keys checked at the edge.
func (s *Service) DenyKey(ctx context.Context, id domain.KeyID) error {
	var ids []domain.KeyID
	raw, err := s.load(ctx, revokedKeysKey)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	case !storage.IsNotFound(err):
		return err
	}
	if slices.Contains(ids, id) {
		return nil
	}
	ids = append(ids, id)
	out, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return s.save(ctx, revokedKeysKey, out, storage.PutOptions{}) // EXPECT kvsession|kvrace
}
