package sessionkv

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

var (
	_ scs.Store         = (*StaffStore)(nil)
	_ scs.IterableStore = (*StaffStore)(nil)
)

// StaffPrefix is the key prefix of admin-console sessions.
const StaffPrefix = "sess:staff:"

// StaffStore keeps admin-console sessions. It talks to the SDK directly
// because the console runs with its own API token and namespace.
type StaffStore struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	timeout   time.Duration
}

// NewStaffStore returns a store for the staff namespace.
func NewStaffStore(client *cloudflare.Client, accountID, nsID string) *StaffStore {
	return &StaffStore{client: client, accountID: accountID, nsID: nsID, timeout: 5 * time.Second}
}

func (s *StaffStore) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

// Find implements scs.Store.
func (s *StaffStore) Find(token string) ([]byte, bool, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, StaffPrefix+token, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if asAPIError(err, &apiErr) && apiErr.StatusCode == 404 {
			return nil, false, nil
		}
		return nil, false, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, err == nil, err
}

// Commit implements scs.Store. The console manager uses an idle timeout, so
// scs hands us a fresh expiry on every request.
func (s *StaffStore) Commit(token string, b []byte, expiry time.Time) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, StaffPrefix+token, kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		ExpirationTTL: cloudflare.F(time.Until(expiry).Seconds()), // EXPECT kvttl
	})
	return err
}

// Delete implements scs.Store.
func (s *StaffStore) Delete(token string) error {
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.nsID, StaffPrefix+token, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// All implements scs.IterableStore. The console uses it to show who is
// signed in.
func (s *StaffStore) All() (map[string][]byte, error) {
	ctx := context.Background()
	out := make(map[string][]byte)
	iter := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(StaffPrefix),
	})
	for iter.Next() {
		name := iter.Current().Name
		res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, name, kv.NamespaceValueGetParams{ // EXPECT kvlist
			AccountID: cloudflare.F(s.accountID),
		})
		if err != nil {
			return nil, fmt.Errorf("staff session %s: %w", name, err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(name, StaffPrefix)] = b
	}
	return out, iter.Err()
}
