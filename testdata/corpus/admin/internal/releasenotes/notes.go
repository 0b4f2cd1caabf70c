// Package releasenotes keeps release notes in KV for the changelog Worker.
// Drafts are built up line by line from CI, then published.
package releasenotes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/admin/internal/config"
	"example.com/admin/internal/keys"
	"example.com/admin/internal/kvstore"
)

const (
	indexKey  = "release-notes:index"
	latestKey = "release-notes:latest"
)

// Entry is one line of the release index.
type Entry struct {
	Version string    `json:"version"`
	Title   string    `json:"title"`
	Date    time.Time `json:"date"`
}

// Notes manages drafts and published notes.
type Notes struct {
	store *kvstore.Store
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	ns    string
}

// New returns Notes over the ops namespace.
func New(api *cloudflare.API, accountID string) *Notes {
	return &Notes{
		store: kvstore.New(api, accountID, config.NSOps),
		api:   api,
		rc:    cloudflare.AccountIdentifier(accountID),
		ns:    config.NSOps,
	}
}

// SaveDraft replaces the draft of version.
func (n *Notes) SaveDraft(ctx context.Context, version, body string) error {
	return n.store.PutTTL(ctx, keys.ReleaseDraft(version), []byte(body), config.DraftTTL)
}

// AppendLine adds a bullet to the draft of version (called by CI for every
// merged pull request).
func (n *Notes) AppendLine(ctx context.Context, version, line string) error {
	key := keys.ReleaseDraft(version)
	draft, ok, err := n.store.GetString(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		draft = "## " + version + "\n\n"
	}
	draft += "- " + strings.TrimSpace(line) + "\n"
	return n.store.PutTTL(ctx, key, []byte(draft), config.DraftTTL) // EXPECT kvrace
}

// AddContributor records who contributed to version.
func (n *Notes) AddContributor(ctx context.Context, version, who string) error {
	key := keys.ReleaseDraft(version) + ":contributors"
	raw, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: n.ns,
		Key:         key,
	})
	var people []string
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &people); err != nil {
			return fmt.Errorf("contributors of %s: %w", version, err)
		}
	case !errors.As(err, &nf):
		return err
	}
	if slices.Contains(people, who) {
		return nil
	}
	people = append(people, who)
	slices.Sort(people)
	b, err := json.Marshal(people)
	if err != nil {
		return err
	}
	_, err = n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: n.ns,
		Key:         key,
		Value:       b,
	})
	return err
}

// Publish freezes the draft of version as its release notes.
func (n *Notes) Publish(ctx context.Context, version, title string) error {
	draft, ok, err := n.store.GetString(ctx, keys.ReleaseDraft(version))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no draft for %s", version)
	}
	if err := n.store.Put(ctx, keys.ReleaseNotes(version), []byte(draft)); err != nil {
		return err
	}
	if err := n.store.PutCached(ctx, keys.ReleaseNotes(version)+":html", []byte(render(draft)), 30*time.Second); err != nil {
		return err
	}
	if err := n.store.Delete(ctx, keys.ReleaseDraft(version)); err != nil {
		return err
	}
	if err := n.addToIndex(ctx, Entry{Version: version, Title: title, Date: time.Now().UTC()}); err != nil {
		return err
	}
	return n.store.Put(ctx, latestKey, []byte(version))
}

func (n *Notes) addToIndex(ctx context.Context, e Entry) error {
	return n.store.Update(ctx, indexKey, func(old []byte) ([]byte, error) {
		var idx []Entry
		if old != nil {
			if err := json.Unmarshal(old, &idx); err != nil {
				return nil, err
			}
		}
		idx = slices.DeleteFunc(idx, func(x Entry) bool { return x.Version == e.Version })
		idx = append([]Entry{e}, idx...)
		if len(idx) > config.NotesMaxEntries {
			idx = idx[:config.NotesMaxEntries]
		}
		return json.Marshal(idx)
	})
}

// SharePreview stores a copy of the draft under an unguessable id for
// reviewers outside the company and returns the id.
func (n *Notes) SharePreview(ctx context.Context, version string) (string, error) {
	draft, ok, err := n.store.GetString(ctx, keys.ReleaseDraft(version))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("no draft for %s", version)
	}
	var buf [12]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(buf[:])
	err = n.store.PutExpiring(ctx, keys.ReleasePreview(id), []byte(render(draft)),
		int(config.PreviewLinkTTL)) // EXPECT kvttl
	return id, err
}

// render turns the markdown-ish draft into minimal HTML.
func render(md string) string {
	var b strings.Builder
	b.WriteString("<article>")
	for line := range strings.Lines(md) {
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "## "):
			fmt.Fprintf(&b, "<h2>%s</h2>", html.EscapeString(line[3:]))
		case strings.HasPrefix(line, "- "):
			fmt.Fprintf(&b, "<li>%s</li>", html.EscapeString(line[2:]))
		case line != "":
			fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(line))
		}
	}
	b.WriteString("</article>")
	return b.String()
}
