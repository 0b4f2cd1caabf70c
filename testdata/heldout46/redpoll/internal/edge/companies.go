//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/redpoll-jobs/redpoll/internal/keys"
	"github.com/redpoll-jobs/redpoll/internal/records"
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,40}$`)

// claimSlug reserves a public company URL for the caller's employer.
func (h *Handler) claimSlug(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord, slug string) {
	slug = strings.ToLower(slug)
	if !slugRE.MatchString(slug) {
		http.Error(w, "invalid slug", http.StatusBadRequest)
		return
	}
	key := keys.Slug(slug)
	owner, ok, err := b.text(key)
	if err != nil {
		fail(w, err)
		return
	}
	if ok && owner != sess.EmployerID {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if err := b.put(key, sess.EmployerID, 0); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"slug": slug})
}

// updateProfile changes the display name of the caller's company.
func (h *Handler) updateProfile(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord) {
	load := func(k string) (records.Employer, error) {
		var e records.Employer
		raw, err := b.ns.GetString(k, nil) // EXPECT kvnull
		if err != nil {
			return e, err
		}
		return e, json.Unmarshal([]byte(raw), &e)
	}
	save := func(k string, e records.Employer) error {
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return b.ns.PutString(k, string(raw), nil)
	}

	key := keys.Login(sess.Email)
	emp, err := load(key)
	if err != nil {
		fail(w, err)
		return
	}
	if name := strings.TrimSpace(r.FormValue("name")); name != "" {
		emp.Name = name
	}
	if plan := r.FormValue("plan"); plan != "" && sess.EmployerID == emp.ID {
		emp.Plan = plan
	}
	if err := save(key, emp); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": emp.Name})
}

type dashboardRow struct {
	Posting      string `json:"posting"`
	Applications int    `json:"applications"`
}

// dashboard lists the employer's postings with their application counts.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord) {
	prefix := keys.PostingByEmployer(sess.EmployerID, "")
	var names []string
	cursor := ""
	for page := 0; page < h.Cfg.ListPageBudget; page++ {
		res, err := b.ns.List(&cloudflare.KVNamespaceListOptions{
			Prefix: prefix,
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			fail(w, err)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}

	rows := make([]dashboardRow, 0, len(names))
	for _, name := range names {
		id := name[strings.LastIndexByte(name, '/')+1:]
		v, ok, err := b.text(keys.Applications(id)) // EXPECT kvlist
		if err != nil {
			fail(w, err)
			return
		}
		n := 0
		if ok {
			n, _ = strconv.Atoi(v)
		}
		rows = append(rows, dashboardRow{Posting: id, Applications: n})
	}

	summaryKey := func() string {
		var sb strings.Builder
		sb.WriteString("dashboard/")
		sb.WriteString(sess.EmployerID)
		sb.WriteString("/summary")
		return sb.String()
	}()
	window, err := time.ParseDuration(r.URL.Query().Get("refresh"))
	if err != nil {
		window = 5 * time.Minute
	}
	out, _ := json.Marshal(rows)
	if err := b.put(summaryKey, string(out), max(2*window, 3*time.Second)); err != nil { // EXPECT kvttl
		fail(w, err)
		return
	}
	if err := b.putFloor(summaryKey+"/compact", strconv.Itoa(len(rows)), window/2); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rows)
}

// archiveKeys walks the employer's archived postings, one page per call.
func (h *Handler) archiveKeys(b bucket, prefix string, opts *cloudflare.KVNamespaceListOptions, depth int) ([]string, error) {
	if depth > h.Cfg.ListPageBudget {
		return nil, nil
	}
	res, err := b.ns.List(opts) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Keys {
		if strings.HasPrefix(k.Name, prefix) {
			out = append(out, k.Name)
		}
	}
	if res.ListComplete {
		return out, nil
	}
	more, err := h.archiveKeys(b, prefix, &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}, depth+1)
	return append(out, more...), err
}

// archive returns the employer's archived postings.
func (h *Handler) archive(w http.ResponseWriter, r *http.Request, b bucket, sess sessionRecord) {
	prefix := keys.PostingByEmployer(sess.EmployerID, "archive") + "/"
	names, err := h.archiveKeys(b, prefix, &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}, 0)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, names)
}

// searchHits caches how many postings matched a public search, for the
// "N jobs" badge on the search box.
func (h *Handler) searchHits(w http.ResponseWriter, r *http.Request, b bucket) {
	q := r.URL.Query().Get("q")
	key := "searchhits/" + keys.EmailHash(q)
	if v, ok, err := b.text(key); err == nil && ok {
		writeJSON(w, http.StatusOK, map[string]string{"hits": v})
		return
	}
	body, err := fetchOrigin(originBase + "/search/count?q=" + q)
	if err != nil {
		fail(w, err)
		return
	}
	n := strings.TrimSpace(string(body))
	if err := b.put(key, n, 10*time.Minute); err != nil { // DEBATABLE kvcounter
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"hits": n})
}
