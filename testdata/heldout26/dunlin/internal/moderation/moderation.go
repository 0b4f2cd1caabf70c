// Package moderation backs the staff console: player listing, search,
// bans and case notes.
package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/repo"
)

// Store is the storage port for the player namespace.
type Store = kvstore.Store

// Settings configures the console. MaxPages and ExportBudget bound how much
// a search or export may read; notes live in their own namespace.
type Settings struct {
	PageSize       int
	MaxPages       int
	ExportBudget   time.Duration
	NotesNamespace string
}

// Player is one row of the console listing, read from key metadata.
type Player struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Plan    int    `json:"plan"`
	Flagged bool   `json:"flagged"`
}

// Ban is an active ban.
type Ban struct {
	Player string    `json:"player"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	Until  time.Time `json:"until"`
}

// Console is the moderation entry point.
type Console struct {
	st   Store
	api  *cloudflare.API
	rc   *cloudflare.ResourceContainer
	ks   keys.Space
	set  Settings
	bans *repo.Repo[Ban]
}

// New returns a console over the player namespace st; notes go to the
// namespace named in set through api.
func New(st Store, api *cloudflare.API, accountID string, ks keys.Space, set Settings) *Console {
	if set.MaxPages <= 0 {
		set.MaxPages = 20
	}
	if set.ExportBudget <= 0 {
		set.ExportBudget = 30 * time.Second
	}
	return &Console{
		st:   st,
		api:  api,
		rc:   cloudflare.AccountIdentifier(accountID),
		ks:   ks,
		set:  set,
		bans: repo.New[Ban](st, ks.Ban("")),
	}
}

func (c *Console) row(k kvstore.KeyInfo) Player {
	p := Player{ID: strings.TrimPrefix(k.Name, c.ks.PlayerPrefix())}
	p.Name, _ = k.Metadata["name"].(string)
	if plan, ok := k.Metadata["plan"].(float64); ok {
		p.Plan = int(plan)
	}
	p.Flagged, _ = k.Metadata["flagged"].(bool)
	return p
}

// Page returns one page of players for a staff member.
func (c *Console) Page(ctx context.Context, role game.Role, cursor string) ([]Player, string, error) {
	page, err := c.st.List(ctx, c.ks.PlayerPrefix(), kvstore.WithLimit(min(role.PageSize(), 1000)), kvstore.WithCursor(cursor))
	if err != nil {
		return nil, "", err
	}
	out := make([]Player, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, c.row(k))
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}

// Export streams every player row as JSON lines, within the export budget.
func (c *Console) Export(ctx context.Context, w io.Writer) (int, error) {
	ctx, cancel := context.WithDeadline(ctx, time.Now().Add(c.set.ExportBudget))
	defer cancel()
	enc := json.NewEncoder(w)
	n, cursor := 0, ""
	for range c.set.MaxPages {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("moderation: export stopped after %d rows: %w", n, err)
		}
		page, err := c.st.List(ctx, c.ks.PlayerPrefix(), kvstore.WithLimit(c.set.PageSize), kvstore.WithCursor(cursor))
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			if err := enc.Encode(c.row(k)); err != nil {
				return n, err
			}
			n++
		}
		if page.Complete {
			return n, nil
		}
		cursor = page.Cursor
	}
	return n, fmt.Errorf("moderation: export truncated at %d pages", c.set.MaxPages)
}

// Search finds players whose id starts with prefix.
func (c *Console) Search(ctx context.Context, idPrefix string) ([]Player, error) {
	var out []Player
	cursor := ""
	for range c.set.MaxPages {
		page, err := c.st.List(ctx, c.ks.Player(idPrefix), kvstore.WithLimit(200), kvstore.WithCursor(cursor)) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			out = append(out, c.row(k))
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Flagged returns players the anti-cheat pipeline flagged, a page at a time.
func (c *Console) Flagged(ctx context.Context, cursor string) ([]Player, string, error) {
	page, err := c.st.List(ctx, c.ks.PlayerPrefix(), kvstore.WithLimit(5000), kvstore.WithCursor(cursor)) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	var out []Player
	for _, k := range page.Keys {
		if p := c.row(k); p.Flagged {
			out = append(out, p)
		}
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}

// BanPlayer bans a player until the given time.
func (c *Console) BanPlayer(ctx context.Context, b Ban) error {
	if !b.Until.After(time.Now().Add(time.Minute)) {
		return errors.New("moderation: ban must last more than a minute")
	}
	return c.bans.Put(ctx, b.Player, b, kvstore.WithExpiresAt(b.Until))
}

// Bans returns every active ban.
func (c *Console) Bans(ctx context.Context) ([]Ban, error) {
	return c.bans.All(ctx)
}

// AddNote appends a line to the player's case notes.
func (c *Console) AddNote(ctx context.Context, player, staff, note string) error {
	key := c.ks.Note(player)
	old, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.set.NotesNamespace, Key: key})
	var nf *cloudflare.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	line := fmt.Sprintf("%s [%s] %s\n", time.Now().UTC().Format(time.RFC3339), staff, note)
	_, err = c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: c.set.NotesNamespace,
		Key:         key,
		Value:       []byte(string(old) + line),
	})
	return err
}

// NoteKeys lists the players that have case notes under a prefix, for the
// weekly audit.
func (c *Console) NoteKeys(ctx context.Context, playerPrefix string) ([]string, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: c.set.NotesNamespace, Prefix: c.ks.Note(playerPrefix), Limit: 1000}
	var out []string
	for range c.set.MaxPages {
		res, err := c.api.ListWorkersKVKeys(ctx, c.rc, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Result {
			out = append(out, k.Name)
		}
		if res.ResultInfo.Cursor == "" {
			return out, nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: c.set.NotesNamespace, Cursor: res.ResultInfo.Cursor, Limit: 1000}
	}
	return out, nil
}
