// Package homepage renders the front page, section fronts and the sitemap.
// The cron trigger calls Rebuild every five minutes; the edge serves the
// stored HTML.
package homepage

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"example.com/newsroom/internal/config"
	"example.com/newsroom/internal/store"
)

// Story is what the front needs of an article.
type Story struct {
	ID, Slug, Title, Standfirst, Desk string
	PublishedAt                       time.Time
}

// Source reads the latest published stories from D1.
type Source interface {
	Latest(ctx context.Context, desk string, n int) ([]Story, error)
}

// Fragments returns editor-managed snippets by name.
type Fragments interface {
	Fragment(ctx context.Context, name string) (string, error)
}

// Builder renders and stores pages.
type Builder struct {
	st    store.Store
	src   Source
	frags Fragments
	cfg   config.Config
	desks []string
	log   *slog.Logger
	tmpl  *template.Template
}

// New returns a builder for the given desks.
func New(st store.Store, src Source, frags Fragments, cfg config.Config, desks []string, log *slog.Logger) *Builder {
	return &Builder{st: st, src: src, frags: frags, cfg: cfg, desks: desks, log: log, tmpl: pageTmpl}
}

var pageTmpl = template.Must(template.New("front").Parse(`<!doctype html><title>{{.Title}}</title>
<header>{{.Hero}}</header><main>{{range .Stories}}<article><a href="/{{.Slug}}">{{.Title}}</a><p>{{.Standfirst}}</p></article>{{end}}</main>`))

type pageData struct {
	Title   string
	Hero    template.HTML
	Stories []Story
}

const defaultHero = `<p class="hero">Independent news, every hour.</p>`

// editionKey is the pointer the edge router reads to find the current
// edition's HTML. The router treats it like "./" in a static bucket.
const editionKey = "."

func (b *Builder) render(ctx context.Context, title string, stories []Story) (string, error) {
	hero, err := b.frags.Fragment(ctx, "hero")
	if err != nil {
		return "", err
	}
	if hero == "" { // EXPECT kvnull
		hero = defaultHero
	}
	var sb strings.Builder
	err = b.tmpl.Execute(&sb, pageData{Title: title, Hero: template.HTML(hero), Stories: stories})
	return sb.String(), err
}

// Rebuild regenerates every front. It runs once per cron tick.
func (b *Builder) Rebuild(ctx context.Context, at time.Time) error {
	latest, err := b.src.Latest(ctx, "", 40)
	if err != nil {
		return fmt.Errorf("latest: %w", err)
	}
	front, err := b.render(ctx, "News", latest)
	if err != nil {
		return err
	}
	edition := "edition:" + strconv.FormatInt(at.Unix(), 10)
	if err := b.st.Put(ctx, edition, []byte(front), store.WithTTL(24*time.Hour)); err != nil {
		return err
	}
	if err := b.st.Put(ctx, editionKey, []byte(edition)); err != nil { // EXPECT kvlimits
		return err
	}
	if err := b.st.Put(ctx, "home:html", []byte(front), store.WithTTL(b.cfg.HomepageTTL)); err != nil {
		return err
	}
	if err := b.st.Put(ctx, "home:built-at", []byte(strconv.FormatInt(at.Unix(), 10))); err != nil {
		return err
	}
	for _, desk := range b.desks {
		stories, err := b.src.Latest(ctx, desk, 30)
		if err != nil {
			return fmt.Errorf("desk %s: %w", desk, err)
		}
		page, err := b.render(ctx, strings.ToUpper(desk[:1])+desk[1:], stories)
		if err != nil {
			return err
		}
		if err := b.st.Put(ctx, "front:"+desk, []byte(page), store.WithTTL(time.Hour)); err != nil {
			return err
		}
		if err := b.st.Put(ctx, "home:rebuild-progress", []byte(desk)); err != nil { // EXPECT kvhotkey
			b.log.Warn("progress marker", "err", err)
		}
	}
	return nil
}
