// Package catalog publishes the course catalog and the feature rollout plan
// from the backend to edge KV, where the Worker reads them.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/url"
	"strconv"
	"time"

	"github.com/lingofox/jacana/internal/kvstore"
	"github.com/lingofox/jacana/internal/pick"
)

// Course is one course as published to the edge.
type Course struct {
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Locale    string    `json:"locale"`
	Lessons   int       `json:"lessons"`
	Level     string    `json:"level"`
	Published bool      `json:"published"`
	UpdatedAt time.Time `json:"updated_at"`
	Hash      string    `json:"hash,omitempty"`
}

// Source is where the authoritative catalog lives (the Postgres read model).
type Source interface {
	Courses(ctx context.Context) ([]Course, error)
	Course(ctx context.Context, slug string) (Course, error)
}

// Publisher pushes the catalog to edge KV.
type Publisher struct {
	KV  *kvstore.Store
	Src Source
	// CacheFactor scales the course detail cache lifetime; 1.0 by default.
	CacheFactor float64
}

const (
	courseDetailBase = 15 * time.Minute
	supportedLocales = "ar-EG,bg-BG,bn-IN,ca-ES,cs-CZ,cy-GB,da-DK,de-AT,de-CH,de-DE,el-GR,en-AU,en-CA,en-GB,en-IE,en-IN,en-NZ,en-US,en-ZA,es-AR,es-CL,es-CO,es-ES,es-MX,es-US,et-EE,eu-ES,fa-IR,fi-FI,fil-PH,fr-BE,fr-CA,fr-CH,fr-FR,ga-IE,gl-ES,gu-IN,he-IL,hi-IN,hr-HR,hu-HU,hy-AM,id-ID,is-IS,it-CH,it-IT,ja-JP,ka-GE,kk-KZ,km-KH,kn-IN,ko-KR,lt-LT,lv-LV,mk-MK,ml-IN,mn-MN,mr-IN,ms-MY,my-MM,nb-NO,ne-NP,nl-BE,nl-NL,pa-IN,pl-PL,pt-BR,pt-PT,ro-RO,ru-RU,si-LK,sk-SK,sl-SI,sq-AL,sr-RS,sv-SE,sw-KE,ta-IN,te-IN,th-TH,tr-TR,uk-UA,ur-PK,uz-UZ,vi-VN,zh-CN,zh-HK,zh-TW,zu-ZA"
)

// courseKey is "course:<escaped slug>".
func courseKey(slug string) string { return "course:" + url.PathEscape(slug) }

// PublishAll writes every published course, stamping each with its content
// hash first, in one bulk request, plus the locale bundle.
func (p *Publisher) PublishAll(ctx context.Context) error {
	courses, err := p.Src.Courses(ctx)
	if err != nil {
		return err
	}
	items := make([]kvstore.Item, 0, len(courses))
	for i := range courses {
		c := &courses[i]
		if !c.Published {
			continue
		}
		c.Hash = strconv.FormatInt(c.UpdatedAt.Unix(), 36) + "-" + strconv.Itoa(c.Lessons)
		raw, _ := json.Marshal(c)
		items = append(items, kvstore.Item{
			Key:   courseKey(c.Slug),
			Value: string(raw),
			Meta:  map[string]string{"title": c.Title, "level": c.Level, "locale": c.Locale},
		})
	}
	failed, err := p.KV.PutMany(ctx, items)
	if len(failed) > 0 {
		log.Printf("catalog: %d courses not written: %v", len(failed), failed)
	}
	if err != nil {
		return err
	}
	bundle, _ := json.Marshal(courses)
	return p.KV.Put(ctx, "catalog:bundle:"+supportedLocales, string(bundle), 0) // EXPECT kvlimits
}

// Detail returns one course, read through the edge KV copy.
func (p *Publisher) Detail(ctx context.Context, slug string) (Course, error) {
	key := courseKey(slug)
	var c Course
	raw, err := p.KV.Get(ctx, key)
	switch {
	case err == nil:
		return c, json.Unmarshal([]byte(raw), &c)
	case !errors.Is(err, kvstore.ErrNotFound):
		return c, err
	}
	c, err = p.Src.Course(ctx, slug)
	if err != nil {
		return c, err
	}
	b, _ := json.Marshal(c)
	factor := pick.If(p.CacheFactor > 0, p.CacheFactor, 1.0)
	ttl := time.Duration(float64(courseDetailBase) * factor)
	return c, p.KV.Put(ctx, key, string(b), ttl)
}

// Flag is one feature rollout entry.
type Flag struct {
	Name     string   `json:"name"`
	Percent  int      `json:"percent"`
	Locales  []string `json:"locales,omitempty"`
	Disabled bool     `json:"disabled,omitempty"`
}

// Manifest lists the flags and when they were published.
type Manifest struct {
	Flags       []string  `json:"flags"`
	PublishedAt time.Time `json:"published_at"`
}

// PublishRollout writes each flag to its own key and keeps the manifest in
// step with the flags written so far.
func (p *Publisher) PublishRollout(ctx context.Context, flags []Flag) error {
	m := Manifest{}
	for i := range flags {
		f := &flags[i]
		f.Percent = pick.Clamp(f.Percent, 0, 100)
		if f.Disabled {
			f.Percent = 0
		}
		raw, _ := json.Marshal(f)
		if err := p.KV.Put(ctx, "rollout:flag:"+f.Name, string(raw), 0); err != nil {
			return fmt.Errorf("flag %s: %w", f.Name, err)
		}
		m.Flags = append(m.Flags, f.Name)
		m.PublishedAt = time.Now().UTC()
		mraw, _ := json.Marshal(m)
		if err := p.KV.Put(ctx, "rollout:manifest", string(mraw), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Invalidate drops the edge copies of the given courses after an edit.
func (p *Publisher) Invalidate(ctx context.Context, slugs ...string) error {
	var errs []error
	for _, s := range slugs {
		errs = append(errs, p.KV.Delete(ctx, courseKey(s)))
	}
	return errors.Join(errs...)
}
