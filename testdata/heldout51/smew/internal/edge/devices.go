//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/smew/internal/permits"
)

var errUnknownDevice = fail(http.StatusForbidden, "device not enrolled")

type deviceRecord struct {
	Serial   string    `json:"serial"`
	Badge    string    `json:"badge"`
	Model    string    `json:"model"`
	Enrolled time.Time `json:"enrolled"`
}

// enrollDevice redeems a one-time code printed by the back office and binds
// the handheld's serial number to the officer.
func (s *Server) enrollDevice(w http.ResponseWriter, r *http.Request, b *bindings) error {
	var req struct{ Code, Serial, Model string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Code == "" || req.Serial == "" {
		return fail(http.StatusBadRequest, "code and serial required")
	}
	codeKey := "otp:" + strings.ToUpper(req.Code)
	var code struct{ Badge string }
	found, err := getJSON(b.devices, codeKey, &code)
	if err != nil {
		return err
	}
	if !found {
		return fail(http.StatusForbidden, "unknown or used enrollment code")
	}
	devKey := "device:" + req.Serial
	existing, err := b.devices.GetString(devKey, nil)
	if err != nil {
		return err
	}
	if existing != kvMissing {
		return fail(http.StatusConflict, fmt.Sprintf("device %s is already enrolled", req.Serial))
	}
	rec := deviceRecord{Serial: req.Serial, Badge: code.Badge, Model: req.Model, Enrolled: time.Now().UTC()}
	raw, _ := json.Marshal(rec)
	if err := b.devices.PutString(devKey, string(raw), nil); err != nil { // EXPECT kvrace
		return err
	}
	if err := b.devices.Delete(codeKey); err != nil { // EXPECT kvsession
		return err
	}
	if err := appendAudit(b.devices, req.Serial, "enrolled to "+code.Badge); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rec)
}

// appendAudit adds a line to the handheld's audit trail.
func appendAudit(ns *cloudflare.KVNamespace, serial, line string) error {
	key := "audit:" + serial
	prev, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + line
	if prev != kvMissing {
		entry = prev + "\n" + entry
	}
	return ns.PutString(key, entry, nil) // EXPECT kvrace
}

// deviceOwner returns the badge a handheld is enrolled to.
func deviceOwner(ns *cloudflare.KVNamespace, serial string) (string, error) {
	raw, err := ns.GetString("device:"+serial, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		return "", err
	}
	if raw == "" { // EXPECT kvnull
		return "", errUnknownDevice
	}
	var rec deviceRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return "", err
	}
	return rec.Badge, nil
}

// deviceSync is polled by every handheld every few seconds. It reports the
// current rules version and whether the device's token was revoked.
func (s *Server) deviceSync(w http.ResponseWriter, r *http.Request, b *bindings) error {
	sess, _, err := currentSession(r, b)
	if err != nil {
		return err
	}
	revoked, err := b.devices.GetString("revoked-token:"+sess.DeviceID, nil) // DEBATABLE kvsession
	if err != nil {
		return err
	}
	if revoked != kvMissing {
		return fail(http.StatusUnauthorized, "device token revoked")
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	if err := b.devices.PutString("seen:"+sess.DeviceID, now, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}); err != nil {
		return err
	}
	if err := b.devices.PutString("fleet:last-sync", now, nil); err != nil { // EXPECT kvhotkey
		return err
	}
	version, err := b.zones.GetString("rules:version", &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		return err
	}
	if version == kvMissing {
		version = "0"
	}
	return writeJSON(w, http.StatusOK, map[string]string{"rules_version": version, "server_time": now})
}

// scanPlate answers an officer's plate scan: does a valid permit cover this
// plate in the officer's zone?
func (s *Server) scanPlate(w http.ResponseWriter, r *http.Request, b *bindings) error {
	sess, _, err := currentSession(r, b)
	if err != nil {
		return err
	}
	if owner, err := deviceOwner(b.devices, sess.DeviceID); err != nil || owner != sess.Badge {
		return errUnknownDevice
	}
	plate := permits.NormalizePlate(r.PathValue("plate"))
	zone := r.URL.Query().Get("zone")
	ps, err := s.permits(r, r.PathValue("district"))
	if err != nil {
		return err
	}
	p, err := ps.ByPlate(r.Context(), plate)
	if err != nil {
		return err
	}
	if err := b.zones.PutString("enforcement:last-scan", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		return err
	}
	verdict := "no-permit"
	if p.Found && p.Value.Valid(plate, zone, time.Now()) {
		verdict = "permit"
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plate": plate, "zone": zone, "verdict": verdict})
}

// startGrace records that an officer has seen an expired meter; a ticket
// may be issued once the grace window has passed.
func (s *Server) startGrace(w http.ResponseWriter, r *http.Request, b *bindings) error {
	if _, _, err := currentSession(r, b); err != nil {
		return err
	}
	plate := permits.NormalizePlate(r.PathValue("plate"))
	start := time.Now().UTC()
	opts := &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(graceWindow), // EXPECT kvttl
	}
	if err := b.zones.PutString("grace:"+plate, start.Format(time.RFC3339), opts); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"plate": plate, "ticket_after": start.Add(graceWindow)})
}
