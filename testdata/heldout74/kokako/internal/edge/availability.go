//go:build js && wasm

package edge

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/samber/do"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

// Availability serves seat counts for a section.
type Availability struct {
	seats    *cloudflare.KVNamespace
	config   *cloudflare.KVNamespace
	db       *sql.DB
	origin   string
	cacheTTL int
	holdFor  time.Duration
}

// NewAvailability resolves its namespaces from the injector.
func NewAvailability(i *do.Injector) (*Availability, error) {
	return &Availability{
		seats:    do.MustInvokeNamed[*cloudflare.KVNamespace](i, "seats-kv"),
		config:   do.MustInvokeNamed[*cloudflare.KVNamespace](i, "config-kv"),
		db:       do.MustInvoke[*sql.DB](i),
		origin:   cloudflare.Getenv("ORIGIN_URL"),
		cacheTTL: do.MustInvokeNamed[int](i, "config-cache-ttl"),
		holdFor:  do.MustInvokeNamed[time.Duration](i, "hold-for"),
	}, nil
}

// ServeSection answers GET /sections/{id}/availability.
func (a *Availability) ServeSection(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.countHit(id)

	v, err := a.seats.GetString("avail:"+id, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 15, // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		a.fromOrigin(w, r, id)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=15")
	io.WriteString(w, v)

	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	_ = a.seats.PutString("edge:last-request", stamp, nil) // EXPECT kvhotkey
}

func (a *Availability) fromOrigin(w http.ResponseWriter, r *http.Request, id string) {
	req, err := fetch.NewRequest(r.Context(), http.MethodGet, a.origin+"/sections/"+id, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK {
		_ = a.seats.PutString("avail:"+id, string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.StatusCode)
	w.Write(body)
}

func (a *Availability) countHit(id string) {
	hits, err := a.seats.GetString("avail-hits:"+id, nil) // EXPECT kvnull
	if err != nil {
		return
	}
	n, _ := strconv.Atoi(hits)
	_ = a.seats.PutString("avail-hits:"+id, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

// TermSettings is the part of the term configuration the edge needs.
type TermSettings struct {
	Term        string    `json:"term"`
	OpensAt     time.Time `json:"opens_at"`
	AddDropEnds time.Time `json:"add_drop_ends"`
}

// ServeTerm answers GET /terms/{term}.
func (a *Availability) ServeTerm(w http.ResponseWriter, r *http.Request) {
	raw, err := a.config.GetString("term:"+r.PathValue("term"), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var st TermSettings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		http.Error(w, "bad term settings", http.StatusInternalServerError)
		return
	}
	st.OpensAt = st.OpensAt.UTC()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(st)
}

// ServeSectionSettings answers GET /terms/{term}/sections/{id}.
func (a *Availability) ServeSectionSettings(w http.ResponseWriter, r *http.Request) {
	key := "section:" + r.PathValue("term") + ":" + r.PathValue("id")
	raw, err := a.config.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: a.cacheTTL})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, raw)
}

// Hold keeps a seat for the student while they confirm in the portal.
func (a *Availability) Hold(w http.ResponseWriter, r *http.Request) {
	id, student := r.PathValue("id"), r.Header.Get("X-Student-ID")
	err := a.seats.PutString("hold:"+id+":"+student, student, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(a.holdFor), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// PostNotice publishes a maintenance notice for the registration banner.
func (a *Availability) PostNotice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text  string `json:"text"`
		Hours int    `json:"hours"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Hours <= 0 {
		http.Error(w, "bad notice", http.StatusBadRequest)
		return
	}
	until := time.Now().Add(time.Duration(in.Hours) * time.Hour)
	err := a.config.PutString("notice:"+until.Format("20060102T15"), in.Text, &cloudflare.KVNamespacePutOptions{
		Expiration: int(until.UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	_ = a.config.PutString("notice:current", in.Text, &cloudflare.KVNamespacePutOptions{
		Expiration: int(until.Unix()),
	})
	w.WriteHeader(http.StatusNoContent)
}

// RefreshFromD1 copies seat counts from the registrar database into KV. It
// runs from the Worker's cron trigger.
func (a *Availability) RefreshFromD1(term string) error {
	rows, err := a.db.Query(`SELECT section_id, open_seats, capacity FROM sections WHERE term = ?`, term)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var open, capacity int
		if err := rows.Scan(&id, &open, &capacity); err != nil {
			return err
		}
		body := fmt.Sprintf(`{"section":%q,"open":%d,"capacity":%d}`, id, open, capacity)
		if err := a.seats.PutString("avail:"+id, body, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300}); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return a.seats.PutString("edge:cron:last-run", fmt.Sprintf(`{"sections":%d,"at":%d}`, n, time.Now().Unix()), nil)
}
