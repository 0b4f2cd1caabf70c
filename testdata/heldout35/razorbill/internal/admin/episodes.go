package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"razorbill/internal/keys"
	"razorbill/internal/retry"
)

// ErrTaken is returned when a custom domain already belongs to another show.
var ErrTaken = errors.New("admin: domain already claimed")

const showDescriptionTemplate = "This show is produced independently and distributed through Razorbill. " +
	"All episodes are provided for personal listening only; redistribution, re-hosting, or clipping of episodes for " +
	"commercial purposes requires the written permission of the show's producers. Advertising inserted dynamically " +
	"at download time may differ by region and by date of download. Transcripts are generated automatically and may " +
	"contain errors; the audio is the authoritative record. For corrections, takedown requests, or sponsorship " +
	"enquiries, contact the producers through the show's Razorbill page. Razorbill measures downloads according to " +
	"the IAB Podcast Measurement Technical Guidelines v2.2 and removes duplicate requests from the same client " +
	"within a 24-hour window. Listener data is processed under the Razorbill privacy policy, available on the " +
	"website, and may be shared in aggregate with the show's producers and advertisers. Episodes marked explicit " +
	"contain language or subjects that may be unsuitable for children. Razorbill does not endorse the views expressed " +
	"by hosts or guests, and the appearance of a brand in an episode does not imply a commercial relationship."

// EpisodeRecord mirrors the Worker's episode record.
type EpisodeRecord struct {
	ID        string    `json:"id"`
	Show      string    `json:"show"`
	Title     string    `json:"title"`
	AudioURL  string    `json:"audio_url"`
	Bytes     int64     `json:"bytes"`
	PublishAt time.Time `json:"publish_at"`
}

// RenameEpisode changes an episode's title.
func (c *Client) RenameEpisode(ctx context.Context, show keys.ShowID, ep keys.EpisodeID, title string) error {
	key := ep.Key(show)
	raw, err := c.get(ctx, key)
	if err != nil {
		return err
	}
	var rec EpisodeRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	rec.Title = title
	b, _ := json.Marshal(rec)
	return c.put(ctx, key, string(b), 0) // EXPECT kvrace
}

// ClaimDomain maps a custom domain to a show.
func (c *Client) ClaimDomain(ctx context.Context, domain string, show keys.ShowID) error {
	key := "domain/" + domain
	owner, err := c.get(ctx, key)
	switch {
	case err == nil && string(owner) != string(show):
		return ErrTaken
	case err != nil && !isNotFound(err):
		return err
	}
	return c.put(ctx, key, string(show), 0) // EXPECT kvrace
}

// ShowSettings are per-show player settings.
type ShowSettings struct {
	Autoplay    bool   `json:"autoplay"`
	Theme       string `json:"theme"`
	Description string `json:"description"`
}

// EnsureSettings writes default settings for a show that has none.
func (c *Client) EnsureSettings(ctx context.Context, show keys.ShowID) error {
	key := show.Key() + "/settings"
	if _, err := c.get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	b, _ := json.Marshal(ShowSettings{Autoplay: true, Theme: "light"})
	return c.put(ctx, key, string(b), 0)
}

// Settings returns the player settings of a show, or the defaults.
func (c *Client) Settings(ctx context.Context, show keys.ShowID) (ShowSettings, error) {
	s := ShowSettings{Theme: "light"}
	raw, err := c.get(ctx, show.Key()+"/settings")
	if err != nil && !isNotFound(err) {
		return s, err
	}
	if len(raw) > 0 { // DEBATABLE kvnull
		err = json.Unmarshal(raw, &s)
	}
	return s, err
}

// ChapterMarks returns the chapter marks of an episode.
func (c *Client) ChapterMarks(ctx context.Context, show keys.ShowID, ep keys.EpisodeID) ([]float64, error) {
	raw, _ := c.get(ctx, ep.Key(show)+"/chapters")
	if len(raw) > 0 { // EXPECT kvnull
		var marks []float64
		return marks, json.Unmarshal(raw, &marks)
	}
	return nil, nil
}

// PublishShowCard stores the show card with its description as metadata so
// that list results can render it without a get.
func (c *Client) PublishShowCard(ctx context.Context, show keys.ShowID, title string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "card/"+string(show), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(title),
		Metadata:  cloudflare.F[any](map[string]string{"title": title, "about": showDescriptionTemplate}), // EXPECT kvlimits
	})
	return err
}

// PublishShowBadge stores the short badge of a show with small metadata.
func (c *Client) PublishShowBadge(ctx context.Context, show keys.ShowID, title string, episodes int) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "badge/"+string(show), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F(title),
		Metadata:      cloudflare.F[any](map[string]any{"title": title, "episodes": episodes}),
		ExpirationTTL: cloudflare.F(float64(3600)),
	})
	return err
}

// IssuePreviewToken stores a short preview token for a reviewer.
func (c *Client) IssuePreviewToken(ctx context.Context, ep keys.EpisodeID, token string) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "preview/"+token, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F(string(ep)),
		ExpirationTTL: cloudflare.F(float64(30)), // EXPECT kvttl
	})
	return err
}

// ArchiveEpisode keeps a copy of an episode for the retention period.
func (c *Client) ArchiveEpisode(ctx context.Context, show keys.ShowID, ep keys.EpisodeID, body string) error {
	retention := c.cfg.Retention
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "archive/"+string(show)+"/"+string(ep), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F(body),
		ExpirationTTL: cloudflare.F(float64(retention)), // EXPECT kvttl
	})
	return err
}

// EmbargoEpisode hides an episode for a week.
func (c *Client) EmbargoEpisode(ctx context.Context, ep keys.EpisodeID) error {
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "embargo/"+string(ep), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.account),
		Value:      cloudflare.F("1"),
		Expiration: cloudflare.F(float64(time.Now().Add(7 * 24 * time.Hour).UnixMilli())), // EXPECT kvttl
	})
	return err
}

// ReleaseEmbargo schedules the end of an embargo at a fixed time.
func (c *Client) ReleaseEmbargo(ctx context.Context, ep keys.EpisodeID, at time.Time) error {
	if earliest := time.Now().Add(time.Hour); at.Before(earliest) {
		at = earliest
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, "embargo/"+string(ep), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.account),
		Value:      cloudflare.F("1"),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// BumpUploadQuota records one more upload against the account's monthly quota.
func (c *Client) BumpUploadQuota(ctx context.Context, account string) (int, error) {
	key := fmt.Sprintf("quota/%s/%s", account, time.Now().UTC().Format("2006-01"))
	var used int
	err := retry.Do(ctx, 4, func() error {
		raw, err := c.get(ctx, key)
		switch {
		case isNotFound(err):
			used = 0
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(raw, &used); err != nil {
				return retry.Permanent{Err: err}
			}
		}
		used++
		return c.put(ctx, key, fmt.Sprint(used), 40*24*time.Hour) // EXPECT kvcounter
	})
	return used, err
}
