// Package profile stores public player profiles. Profiles live in their own
// namespace, written with key metadata so moderation can list players
// without reading every value.
package profile

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
)

// ErrNotFound is returned for unknown players.
var ErrNotFound = errors.New("profile: not found")

// Profile is a player's public card.
type Profile struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Plan      game.Plan `json:"plan"`
	Avatar    string    `json:"avatar"`
	CreatedAt time.Time `json:"created_at"`
}

// Service reads and writes profiles.
type Service struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	ks  keys.Space
}

// New returns a profile service for namespaceID.
func New(api *cloudflare.API, accountID, namespaceID string, ks keys.Space) *Service {
	return &Service{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID, ks: ks}
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Get returns a profile.
func (s *Service) Get(ctx context.Context, id string) (Profile, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: s.ks.Player(id)})
	if isNotFound(err) {
		return Profile{}, ErrNotFound
	}
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	return p, json.Unmarshal(raw, &p)
}

// Init returns the player's profile, creating it on first sign-in.
func (s *Service) Init(ctx context.Context, id, name string) (Profile, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: s.ks.Player(id)}) // EXPECT kvnull
	if err != nil {
		// First sign-in: no profile yet.
		p := Profile{ID: id, Name: name, Plan: game.PlanFree, CreatedAt: time.Now().UTC()}
		return p, s.write(ctx, p)
	}
	var p Profile
	return p, json.Unmarshal(raw, &p)
}

func (s *Service) write(ctx context.Context, p Profile) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      s.ks.Player(p.ID),
			Value:    base64.StdEncoding.EncodeToString(raw),
			Base64:   true,
			Metadata: map[string]any{"name": p.Name, "plan": int(p.Plan), "created": p.CreatedAt.Unix()},
		}},
	})
	return err
}

// View records that viewer opened id's profile card and returns the total.
func (s *Service) View(ctx context.Context, viewer, id string) (int, error) {
	key := s.ks.Views(id)
	n := 0
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !isNotFound(err):
		return 0, err
	}
	if viewer == id {
		return n, nil
	}
	n++
	_, err = s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: []byte(strconv.Itoa(n))}) // EXPECT kvcounter
	return n, err
}

// Newest returns the newest few sign-ups for the community widget along
// with the cursor of the rest.
func (s *Service) Newest(ctx context.Context) ([]string, string, error) {
	res, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      s.ks.PlayerPrefix(),
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		if md, ok := k.Metadata.(map[string]any); ok {
			if n, ok := md["name"].(string); ok {
				names = append(names, n)
			}
		}
	}
	return names, res.ResultInfo.Cursor, nil
}
