//go:build js && wasm

// Package drafts autosaves menu drafts while chefs edit them and keeps a
// simple edit lock so two people do not overwrite each other's changes.
package drafts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/edgekv"
	"github.com/syumai/workers/cloudflare/kv"
)

var now = time.Now

// ErrLocked is returned when someone else holds the edit lock.
var ErrLocked = errors.New("drafts: menu is being edited by someone else")

// Section is one part of a menu (starters, mains, ...).
type Section struct {
	Title  string   `json:"title"`
	Dishes []string `json:"dishes"`
}

// Draft is an editor's working copy.
type Draft struct {
	Menu     string    `json:"menu"`
	Editor   string    `json:"editor"`
	Title    string    `json:"title"`
	Sections []Section `json:"sections"`
	SavedAt  time.Time `json:"saved_at"`
	Revision int       `json:"revision"`
}

// Service stores drafts and locks.
type Service struct {
	ns  func() (*kv.Namespace, error)
	kv  func() (*edgekv.Client, error)
	cfg func() *config.Config
}

// New returns a draft service over binding.
func New(binding string, cfg func() *config.Config) *Service {
	ns := sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(binding) })
	return &Service{
		ns: ns,
		kv: sync.OnceValues(func() (*edgekv.Client, error) {
			n, err := ns()
			if err != nil {
				return nil, err
			}
			return edgekv.Wrap(n, binding), nil
		}),
		cfg: cfg,
	}
}

func draftKey(menu, editor string) string { return "draft:" + menu + ":" + editor }
func lockKey(menu string) string          { return "draft-lock:" + menu }
func presenceKey(menu, editor string) string {
	return "draft-presence:" + menu + ":" + editor
}

// Autosave stores the editor's working copy. The client calls it every few
// seconds while typing, but only when the content changed.
func (s *Service) Autosave(ctx context.Context, d Draft) error {
	c, err := s.kv()
	if err != nil {
		return err
	}
	d.SavedAt = now().UTC()
	return c.Write(draftKey(d.Menu, d.Editor)).
		JSON(d).
		TTL(s.cfg().DraftRetention).
		Do(ctx)
}

// Heartbeat marks the editor as present in the editing screen. The client
// sends it every 30 seconds.
func (s *Service) Heartbeat(ctx context.Context, menu, editor string) error {
	c, err := s.kv()
	if err != nil {
		return err
	}
	return c.Write(presenceKey(menu, editor)).
		Value(now().UTC().Format(time.RFC3339)).
		TTL(45 * time.Second). // EXPECT kvttl
		Do(ctx)
}

// Load returns the editor's saved draft.
func (s *Service) Load(ctx context.Context, menu, editor string) (Draft, error) {
	ns, err := s.ns()
	if err != nil {
		return Draft{}, err
	}
	raw, err := ns.GetString(draftKey(menu, editor), nil) // EXPECT kvnull
	if err != nil {
		return Draft{}, err
	}
	var d Draft
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return Draft{}, fmt.Errorf("drafts: decode %s: %w", menu, err)
	}
	return d, nil
}

// Lock takes the edit lock on a menu for editor.
func (s *Service) Lock(ctx context.Context, menu, editor string) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	holder, err := ns.GetString(lockKey(menu), nil)
	if err != nil {
		return err
	}
	if holder != "<null>" && holder != editor {
		return fmt.Errorf("%w (%s)", ErrLocked, holder)
	}
	return ns.PutString(lockKey(menu), editor, &kv.PutOptions{ExpirationTTL: 300}) // EXPECT kvrace
}

// Promote copies a draft into the staging copy section by section, so the
// preview pane fills in as each section is checked.
func (s *Service) Promote(ctx context.Context, d Draft, check func(Section) error) error {
	c, err := s.kv()
	if err != nil {
		return err
	}
	staged := Draft{Menu: d.Menu, Editor: d.Editor, Title: d.Title, Revision: d.Revision + 1}
	for _, sec := range d.Sections {
		if err := check(sec); err != nil {
			return fmt.Errorf("drafts: section %q: %w", sec.Title, err)
		}
		staged.Sections = append(staged.Sections, sec)
		staged.SavedAt = now().UTC()
		if err := c.Write("menu-staging:" + d.Menu).JSON(staged).Do(ctx); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
