package catalog

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/karearea/karearea/internal/memcache"
)

// legacyHomeKey is the fragment name the PHP homepage has always used for
// its default filter set; PHP built it from the full query string and the
// edge Worker still requests it by this name.
const legacyHomeKey = "home:q=cat%5B%5D=1&cat%5B%5D=2&cat%5B%5D=3&cat%5B%5D=4&cat%5B%5D=5&cat%5B%5D=6&cat%5B%5D=7&cat%5B%5D=8&cat%5B%5D=9&cat%5B%5D=10&cat%5B%5D=11&cat%5B%5D=12&brand%5B%5D=acme&brand%5B%5D=globex&brand%5B%5D=initech&brand%5B%5D=umbrella&brand%5B%5D=hooli&brand%5B%5D=vandelay&brand%5B%5D=wonka&brand%5B%5D=stark&brand%5B%5D=wayne&brand%5B%5D=tyrell&price_min=0&price_max=100000&sort=popularity&order=desc&per_page=48&in_stock=1&ship_to=NZ&currency=NZD&lang=en-NZ&view=grid&utm_source=&utm_medium=&utm_campaign=&ab_bucket=control&layout=2024-autumn&show_ratings=1&show_badges=1&tracking=none" // EXPECT kvlimits

var productTmpl = template.Must(template.New("product").Parse(
	`<section class="product" data-id="{{.ID}}"><h1>{{.Name}}</h1><p class="price">€{{printf "%.2f" .PriceEUR}}</p>{{if le .Stock 0}}<p class="oos">Sold out</p>{{end}}</section>`))

// Routes mounts the storefront's HTML endpoints.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /fragments/product/{id}", s.productFragment)
	mux.HandleFunc("GET /fragments/deals", s.dealsFragment)
	mux.HandleFunc("GET /fragments/stock/{id}", s.stockFragment)
	mux.HandleFunc("GET /fragments/home", s.homeFragment)
	mux.HandleFunc("GET /fragments/drop", s.dropFragment)
	mux.HandleFunc("POST /admin/fragments/{group}/invalidate", s.invalidateGroup)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
}

func (s *Service) productFragment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	html, err := s.Frags.Fetch(r.Context(), "product-"+id, "card", 30*time.Minute, func(ctx context.Context) ([]byte, error) {
		p, err := s.Product(ctx, id)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		if err := productTmpl.Execute(&b, p); err != nil {
			return nil, err
		}
		return []byte(b.String()), nil
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if uid := r.Header.Get("X-User-ID"); uid != "" {
		defer s.RecordRecentlyViewed(uid, id)
	}
	s.CountView(id)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(html)
}

// dealsFragment renders today's deals; they change at midnight shop time.
func (s *Service) dealsFragment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if html, ok, err := s.Frags.Get(ctx, "deals", "today"); err == nil && ok {
		w.Write(html)
		return
	}
	html, err := s.renderDeals(ctx)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	s.Frags.Set(ctx, "deals", "today", html, EndOfDayTTL(time.Now(), s.Loc))
	w.Write(html)
}

// EndOfDayTTL is how long a fragment computed now stays valid for today.
func EndOfDayTTL(now time.Time, loc *time.Location) time.Duration {
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
	ttl := midnight.Sub(now)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return ttl
}

// stockFragment shows the stock badge. Warehouse stock moves quickly, so it
// is cached for half a minute.
func (s *Service) stockFragment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := r.Context()
	if html, ok, err := s.Frags.Get(ctx, "product-"+id, "stock"); err == nil && ok {
		w.Write(html)
		return
	}
	p, err := s.Product(ctx, id)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	html := []byte(fmt.Sprintf(`<span class="stock">%d left</span>`, p.Stock))
	s.Frags.Set(ctx, "product-"+id, "stock", html, 30*time.Second) // EXPECT kvttl
	w.Write(html)
}

// homeFragment serves the default homepage grid. The TTL follows the
// upstream PHP renderer's Cache-Control max-age.
func (s *Service) homeFragment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if html, ok, err := s.Frags.Get(ctx, "home", legacyHomeKey); err == nil && ok {
		w.Write(html)
		return
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://php-frontend.internal/?"+strings.TrimPrefix(legacyHomeKey, "home:q="), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	html, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	ttl := 5 * time.Minute
	if cc := res.Header.Get("Cache-Control"); strings.HasPrefix(cc, "max-age=") {
		if secs, err := strconv.Atoi(strings.TrimPrefix(cc, "max-age=")); err == nil {
			ttl = time.Duration(secs) * time.Second
		}
	}
	s.Frags.Set(ctx, "home", legacyHomeKey, html, ttl)
	w.Write(html)
}

// dropFragment shows the countdown for the next hourly product drop; the
// fragment changes on the hour.
func (s *Service) dropFragment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if html, ok, err := s.Frags.Get(ctx, "drop", "countdown"); err == nil && ok {
		w.Write(html)
		return
	}
	next := time.Now().Truncate(time.Hour).Add(time.Hour)
	html := []byte(fmt.Sprintf(`<time class="drop" datetime="%s">next drop</time>`, next.Format(time.RFC3339)))
	s.Frags.Set(ctx, "drop", "countdown", html, time.Until(next)) // EXPECT kvttl
	w.Write(html)
}

func (s *Service) invalidateGroup(w http.ResponseWriter, r *http.Request) {
	group := r.PathValue("group")
	var err error
	if r.URL.Query().Get("legacy") == "1" {
		_, err = s.Frags.BumpLegacy(r.Context(), group)
	} else {
		err = s.Frags.Invalidate(r.Context(), group)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// healthz is polled by the load balancer every few seconds; it proves the
// cache path works end to end.
func (s *Service) healthz(w http.ResponseWriter, r *http.Request) {
	stamp := strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := s.MC.Set(&memcache.Item{Key: "health:probe", Value: []byte(stamp), Expiration: 300}); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// readyz only reads, so it can be polled as often as the orchestrator likes.
func (s *Service) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.MC.Ping(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
}

func (s *Service) renderDeals(ctx context.Context) ([]byte, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, slug, name, price_eur, stock FROM products WHERE deal_day = date('now') LIMIT 24`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString(`<ul class="deals">`)
	for rows.Next() {
		var p Product
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.PriceEUR, &p.Stock); err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, `<li><a href="/p/%s">%s</a> €%.2f</li>`, template.URLQueryEscaper(p.Slug), template.HTMLEscapeString(p.Name), p.PriceEUR)
	}
	b.WriteString(`</ul>`)
	return []byte(b.String()), rows.Err()
}
