// Package teams manages team spaces: the public slug a team books under,
// its branding on the lobby screens, and its monthly room-hours quota.
package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"merganser/internal/cfkv"
	"merganser/internal/kvio"
)

// ErrSlugTaken is returned when another team already uses the slug.
var ErrSlugTaken = errors.New("teams: slug taken")

// ErrQuotaExceeded is returned when a booking would pass the team's quota.
var ErrQuotaExceeded = errors.New("teams: room-hours quota exceeded")

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// Team is the public record behind a slug.
type Team struct {
	ID      string    `json:"id"`
	Slug    string    `json:"slug"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// ClaimSlug reserves slug for team.
func ClaimSlug(ctx context.Context, rw kvio.GetPutter, t Team) error {
	if !slugRE.MatchString(t.Slug) {
		return fmt.Errorf("teams: invalid slug %q", t.Slug)
	}
	key := "team:slug:" + t.Slug
	if _, err := rw.Get(ctx, key); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, kvio.ErrNotFound) {
		return err
	}
	t.Created = time.Now().UTC()
	return kvio.PutJSON(ctx, rw, key, t, 0) // EXPECT kvrace
}

// Resolve returns the team behind slug.
func Resolve(ctx context.Context, g kvio.Getter, slug string) (Team, bool, error) {
	var t Team
	found, err := kvio.Lookup(ctx, g, "team:slug:"+slug, &t)
	return t, found, err
}

// Branding is what the lobby screens show for a team.
type Branding struct {
	Color   string `json:"color"`
	LogoURL string `json:"logo_url"`
	Welcome string `json:"welcome"`
}

var defaultBranding = Branding{Color: "#1d3557", Welcome: "Welcome"}

// EnsureBranding makes sure a team has a branding record before its first
// booking shows up on the board.
func EnsureBranding(ctx context.Context, ns *cfkv.Namespace, teamID string) error {
	key := "team:branding:" + teamID
	_, err := ns.API.KV.Namespaces.Values.Get(ctx, ns.ID, key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(ns.AccountID),
	})
	if err == nil {
		return nil
	}
	raw, _ := json.Marshal(defaultBranding)
	_, err = ns.API.KV.Namespaces.Values.Update(ctx, ns.ID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Value:     cloudflare.F(string(raw)),
		Metadata:  cloudflare.F(`{"source":"default"}`),
	})
	return err
}

// LoadBranding fills dst with the team's branding, or the default.
func LoadBranding(ctx context.Context, ns *cfkv.Namespace, teamID string, dst *Branding) error {
	res, err := ns.API.KV.Namespaces.Values.Get(ctx, ns.ID, "team:branding:"+teamID, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(ns.AccountID),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return json.Unmarshal(raw, dst)
	}
	*dst = defaultBranding
	return nil
}

// SetBranding replaces the team's branding with b.
func SetBranding(ctx context.Context, p kvio.Putter, teamID string, b Branding) error {
	return kvio.PutJSON(ctx, p, "team:branding:"+teamID, b, 0)
}

func quotaKey(teamID string, month time.Time) string {
	return "quota:room-hours:" + teamID + ":" + month.UTC().Format("2006-01")
}

// UseRoomHours records hours of meeting-room use against the team's monthly
// quota, refusing the booking when the quota would be exceeded.
func UseRoomHours(ctx context.Context, ns *cfkv.Namespace, teamID string, hours, quota int64) (int64, error) {
	key := quotaKey(teamID, time.Now())
	used, ok, err := readUsed(ctx, ns, key)
	if err != nil {
		return 0, err
	}
	if !ok {
		used = 0
	}
	if used+hours > quota {
		return used, ErrQuotaExceeded
	}
	next := strconv.FormatInt(used+hours, 10)
	if err := ns.Put(ctx, key, next, 40*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return used, err
	}
	return used + hours, nil
}

func readUsed(ctx context.Context, g kvio.Getter, key string) (int64, bool, error) {
	raw, err := g.Get(ctx, key)
	if errors.Is(err, kvio.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("teams: quota value %q: %w", raw, err)
	}
	return n, true, nil
}
