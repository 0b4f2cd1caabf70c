//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/smew/internal/permits"
)

const visitorRateLimit = 20 // pass requests per IP per hour

type visitorPass struct {
	ID         string    `json:"id"`
	PermitID   string    `json:"permit"`
	Plate      string    `json:"plate"`
	Zone       string    `json:"zone"`
	ValidFrom  time.Time `json:"from"`
	ValidUntil time.Time `json:"until"`
}

func (s *Server) issueVisitorPass(w http.ResponseWriter, r *http.Request, b *bindings) error {
	rlKey := "rate:visitor-pass:" + r.Header.Get("CF-Connecting-IP")
	raw, err := b.visitors.GetString(rlKey, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != kvMissing {
		n, _ = strconv.Atoi(raw)
	}
	if n >= visitorRateLimit {
		return fail(http.StatusTooManyRequests, "too many pass requests")
	}
	if err := b.visitors.PutString(rlKey, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	var req struct {
		District, PermitID, Plate string
		From                      time.Time
		Hours                     int
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Hours <= 0 || req.Hours > 72 {
		return fail(http.StatusBadRequest, "permit, plate and 1-72 hours required")
	}
	ps, err := s.permits(r, req.District)
	if err != nil {
		return err
	}
	permit, err := ps.Get(r.Context(), req.PermitID)
	if err != nil {
		return err
	}
	if !permit.Found || permit.Value.Expires.Before(time.Now()) {
		return fail(http.StatusForbidden, "no valid resident permit")
	}
	from := req.From
	if now := time.Now().UTC(); from.Before(now) {
		from = now
	}
	pass := visitorPass{
		ID: randomID(12), PermitID: req.PermitID, Plate: permits.NormalizePlate(req.Plate),
		Zone: permit.Value.Zone, ValidFrom: from, ValidUntil: from.Add(time.Duration(req.Hours) * time.Hour),
	}
	ttl := time.Until(pass.ValidUntil)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := putJSON(b.visitors, "pass:"+pass.ValidUntil.Format("20060102")+":"+pass.ID, pass, ttl); err != nil {
		return err
	}
	if err := addToHousehold(b.visitors, pass); err != nil {
		return err
	}
	token := randomID(16)
	if err := putJSON(b.visitors, "scan:"+token, map[string]string{"pass": pass.ID, "plate": pass.Plate}, visitorScanTTL); err != nil { // EXPECT kvttl
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"pass": pass, "qr": token})
}

// addToHousehold lists the pass under its permit and updates the
// household's monthly usage figure shown on the resident portal.
func addToHousehold(ns *cloudflare.KVNamespace, pass visitorPass) error {
	key := "household:" + pass.PermitID + ":passes"
	var ids []string
	if _, err := getJSON(ns, key, &ids); err != nil {
		return err
	}
	ids = append(ids, pass.ID)
	if err := putJSON(ns, key, ids, 0); err != nil { // EXPECT kvrace
		return err
	}
	month := pass.ValidFrom.Format("200601")
	return ns.PutString("quota:"+pass.PermitID+":"+month, strconv.Itoa(len(ids)), nil) // EXPECT kvcounter
}

type cartItem struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"price_cents"`
}

// addToCart adds a bundle of visitor passes to the resident's basket.
func (s *Server) addToCart(w http.ResponseWriter, r *http.Request, b *bindings) error {
	resident := r.Header.Get("X-Resident")
	if resident == "" {
		return errUnauthenticated
	}
	var item cartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.Qty <= 0 {
		return fail(http.StatusBadRequest, "sku and qty required")
	}
	key := "cart:" + resident
	var c struct {
		Items   []cartItem `json:"items"`
		Updated time.Time  `json:"updated"`
	}
	if _, err := getJSON(b.visitors, key, &c); err != nil {
		return err
	}
	c.Items = append(c.Items, item)
	c.Updated = time.Now().UTC()
	if err := putJSON(b.visitors, key, c, 24*time.Hour); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// residentMagicLogin redeems the sign-in link e-mailed to a resident.
func (s *Server) residentMagicLogin(w http.ResponseWriter, r *http.Request, _ *bindings) error {
	st, err := s.reg.Open(r.Context(), setting(r.Context(), "RESIDENT_AUTH_DSN", "kv://VISITORS"))
	if err != nil {
		return err
	}
	key := "magic:" + r.URL.Query().Get("t")
	opt, err := st.Get(r.Context(), key)
	if err != nil {
		return err
	}
	if !opt.Found {
		return fail(http.StatusForbidden, "link expired or already used")
	}
	var link struct{ Resident string }
	if err := json.Unmarshal(opt.Value, &link); err != nil {
		return err
	}
	if err := st.Delete(r.Context(), key); err != nil { // EXPECT kvsession
		return err
	}
	sid := randomID(24)
	sess, _ := json.Marshal(map[string]any{"resident": link.Resident, "iat": time.Now().UTC()})
	if err := st.Put(r.Context(), "rsess:"+sid, sess, sessionTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "smew_rsid", Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: int(sessionTTL.Seconds())})
	http.Redirect(w, r, "/portal", http.StatusFound)
	return nil
}
