// Package guilds manages guild records and guild name reservations.
package guilds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

var ErrNameTaken = errors.New("guilds: name already taken")

// Guild is a player guild.
type Guild struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Slug    string    `json:"slug"`
	Owner   string    `json:"owner"`
	Created time.Time `json:"created"`
}

// Key implements keys.Keyer.
func (g Guild) Key() string { return "guild/" + g.ID }

// Service stores guilds in the guilds namespace through the SDK.
type Service struct {
	cf        *cloudflare.Client
	accountID string
	ns        string
}

// New returns a Service.
func New(cf *cloudflare.Client, accountID, ns string) *Service {
	return &Service{cf: cf, accountID: accountID, ns: ns}
}

func (s *Service) get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.cf.KV.Namespaces.Values.Get(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if kvstore.IsNotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (s *Service) put(ctx context.Context, key string, value []byte) error {
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// Create founds a guild, reserving its name.
func (s *Service) Create(ctx context.Context, name, owner string) (Guild, error) {
	slug := keys.Slug(name)
	if slug == "" {
		return Guild{}, fmt.Errorf("guilds: %q has no usable characters", name)
	}
	nameKey := "guildname/" + slug
	_, err := s.get(ctx, nameKey)
	if err == nil {
		return Guild{}, ErrNameTaken
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return Guild{}, err
	}

	g := Guild{ID: keys.NewID(), Name: name, Slug: slug, Owner: owner, Created: time.Now().UTC()}
	b, _ := json.Marshal(g)
	if err := s.put(ctx, g.Key(), b); err != nil {
		return Guild{}, err
	}
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(nameKey), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(g.ID)),
		Metadata:  cloudflare.F[any](map[string]any{"name": name}),
	})
	return g, err
}

// View records a visit to the guild's public page and returns the total.
func (s *Service) View(ctx context.Context, guildID string) (int, error) {
	k := "views/guild/" + guildID
	n := 0
	raw, err := s.get(ctx, k)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return 0, err
	}
	n++
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(k), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(n))),
	})
	return n, err
}
