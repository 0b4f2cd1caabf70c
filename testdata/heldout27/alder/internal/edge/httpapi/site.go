//go:build js && wasm

package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/storage"
)

// defaultFeatures is served when no feature document has been published.
const defaultFeatures = `{"room_booking":true,"day_passes":true,"visitor_kiosk":false}`

const noticeKey = "site:notice"

func parseDay(v string) (time.Time, error) { return time.Parse("2006-01-02", v) }

// desks handles /desks/claim, /desks/hold and /desks/release.
func (s *Server) desks(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	site := domain.SiteID(r.FormValue("site"))
	desk := domain.DeskID(r.FormValue("desk")).Normalize()
	day, err := parseDay(r.FormValue("day"))
	if err != nil || site == "" || desk == "" {
		http.Error(w, "site, desk and day are required", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	switch strings.TrimPrefix(r.URL.Path, "/desks/") {
	case "claim":
		err = s.bookings.ClaimDesk(ctx, site, desk, day, sess.Member)
	case "hold":
		var ends time.Time
		ends, err = time.Parse(time.RFC3339, r.FormValue("checkout_ends"))
		if err == nil {
			err = s.bookings.PlaceHold(ctx, site, desk, day, sess.Member, ends)
		}
	case "release":
		err = s.bookings.ReleaseDesk(ctx, site, desk, day)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) bookRoom(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	var req struct {
		Site  domain.SiteID `json:"site"`
		Room  domain.RoomID `json:"room"`
		Start time.Time     `json:"start"`
		End   time.Time     `json:"end"`
		Title string        `json:"title"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !req.End.After(req.Start) {
		http.Error(w, "malformed booking", http.StatusBadRequest)
		return
	}
	slot := domain.Slot{Start: req.Start, End: req.End, Member: sess.Member, Title: req.Title}
	if err := s.bookings.BookRoom(r.Context(), req.Site, req.Room, slot); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// roomCapacity tells the booking form how many seats a room has.
func (s *Server) roomCapacity(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		fail(w, err)
		return
	}
	v, err := ns.GetString("room:capacity:"+q.Get("site")+":"+q.Get("room"), &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		fail(w, err)
		return
	}
	seats, _ := strconv.Atoi(v)
	writeJSON(w, map[string]int{"seats": seats})
}

// doorCheck is called by the keypads.
func (s *Server) doorCheck(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	keypad, err := strconv.Atoi(r.FormValue("keypad"))
	if err != nil {
		http.Error(w, "keypad required", http.StatusBadRequest)
		return
	}
	code, err := domain.ParseCode(r.FormValue("code"))
	if err != nil {
		fail(w, err)
		return
	}
	g, err := s.access.Verify(r.Context(), domain.SiteID(r.FormValue("site")), keypad, code)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, map[string]any{"open": true, "member": g.Member})
}

func (s *Server) doorRevoke(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	code, err := domain.ParseCode(r.FormValue("code"))
	if err != nil {
		fail(w, err)
		return
	}
	if err := s.access.Revoke(r.Context(), domain.SiteID(r.FormValue("site")), code); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type checkinEvent struct {
	Member domain.MemberID `json:"member"`
	Site   domain.SiteID   `json:"site"`
	At     time.Time       `json:"at"`
}

// checkin is called by the lobby tablet when a member taps their card; the
// welcome screen shows the latest arrival.
func (s *Server) checkin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	ev := checkinEvent{Member: domain.MemberID(r.FormValue("member")), Site: domain.SiteID(r.FormValue("site")), At: time.Now().UTC()}
	raw, err := json.Marshal(ev)
	if err != nil {
		fail(w, err)
		return
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		fail(w, err)
		return
	}
	if err := ns.PutString("lobby:last-checkin", string(raw), nil); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) redeemPass(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	p, err := s.passes.Redeem(r.Context(), domain.PassID(r.FormValue("pass")))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, map[string]any{"uses_left": p.UsesLeft, "valid_until": p.ValidUntil})
}

// visitorRoutes handles /visitors/invite and /visitors/admit.
func (s *Server) visitorRoutes(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, "/visitors/") {
	case "invite":
		s.withSession(s.invite)(w, r)
	case "admit":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		inv, err := s.visitors.Admit(r.Context(), r.FormValue("token"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, inv)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	visit, err := time.Parse(time.RFC3339, r.FormValue("visit"))
	if err != nil {
		http.Error(w, "visit must be RFC 3339", http.StatusBadRequest)
		return
	}
	inv, err := s.visitors.Invite(r.Context(), sess.Member, domain.Email(r.FormValue("email")), domain.SiteID(r.FormValue("site")), visit)
	if err != nil {
		fail(w, err)
		return
	}
	if err := s.mail.Send(r.Context(), inv.Visitor, "You are invited to Alder", "Show this link at reception: /v/"+inv.Token); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, inv)
}

// dashboard serves the lobby screen: the site's board plus every site's
// latest snapshot.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	site := domain.SiteID(r.URL.Query().Get("site"))
	board, err := s.occupancy.Board(r.Context(), site)
	if err != nil {
		fail(w, err)
		return
	}
	all, err := s.occupancy.Summaries(r.Context(), s.cfg.Sites)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, map[string]any{"board": board, "sites": all})
}

// features serves the feature switches published by the back office.
func (s *Server) features(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		fail(w, err)
		return
	}
	v, err := ns.GetString("flags:features", &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		fail(w, err)
		return
	}
	if v == "" { // EXPECT kvnull
		v = defaultFeatures
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, v)
}

// adminKeys pages through keys for the support console.
func (s *Server) adminKeys(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Cf-Access-Jwt-Assertion") == "" {
		http.Error(w, "staff only", http.StatusForbidden)
		return
	}
	q := r.URL.Query()
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		fail(w, err)
		return
	}
	res, err := ns.List(&kv.ListOptions{
		Prefix: q.Get("prefix"),
		Cursor: q.Get("cursor"),
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		fail(w, err)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	writeJSON(w, map[string]any{"keys": names, "next": next})
}

// adminNotice reads or replaces the notice on the lobby screens.
func (s *Server) adminNotice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	switch r.Method {
	case http.MethodGet:
		raw, err := s.store.Get(ctx, noticeKey)
		if storage.IsNotFound(err) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if err != nil {
			fail(w, err)
			return
		}
		_, _ = w.Write(raw)
	case http.MethodPut:
		if r.Header.Get("Cf-Access-Jwt-Assertion") == "" {
			http.Error(w, "staff only", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 4096))
		if err != nil {
			fail(w, err)
			return
		}
		if err := s.store.PutString(ctx, noticeKey, string(body), 0); err != nil { // DEBATABLE kvhotkey
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(w, "GET, PUT")
	}
}
