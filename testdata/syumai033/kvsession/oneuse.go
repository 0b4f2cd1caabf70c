package kvsession

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type resetRecord struct {
	UserID string
	Issued time.Time
}

func resetKey(token string) string { return "reset/" + token }

// A password-reset link consumed by get, then delete: the link works again
// at other locations until they see the delete.
func useResetLink(ns *kv.Namespace, token string) (string, error) { // want useResetLink:"kvsession"
	raw, err := ns.GetString(resetKey(token), nil)
	if err != nil {
		return "", err
	}
	var rec resetRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return "", err
	}
	if err := ns.Delete(resetKey(token)); err != nil { // want `A password reset token revoked or consumed by a KV delete`
		return "", err
	}
	return rec.UserID, nil
}

// A device pairing code claimed once.
func claimDevice(ns *kv.Namespace, code string) (string, error) { // want claimDevice:"kvsession"
	device, err := ns.GetString("pair/code/"+code, nil)
	if err != nil {
		return "", err
	}
	if err := ns.Delete("pair/code/" + code); err != nil { // want `A pairing code revoked or consumed by a KV delete`
		return "", err
	}
	return device, nil
}

// Quiet: a device record, not a code, is removed.
func forgetDevice(ns *kv.Namespace, id string) error {
	return ns.Delete("pair/device/" + id)
}

type voucher struct {
	Venue string
	Cents int
}

var errWrongVenue = errors.New("wrong venue")

// A voucher redeemed with a get and then a delete, its key named by
// nothing but the voucher: the function says it is used up.
func redeemVoucher(ns *kv.Namespace, serial, venue string) (int, error) { // want redeemVoucher:"kvsession"
	raw, err := ns.GetString("voucher/"+serial, nil)
	if err != nil {
		return 0, err
	}
	var v voucher
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return 0, err
	}
	if v.Venue != venue {
		return 0, errWrongVenue
	}
	if err := ns.Delete("voucher/" + serial); err != nil { // want `A single-use code revoked or consumed by a KV delete`
		return 0, err
	}
	return v.Cents, nil
}

// Quiet: a record read to check its owner, then deleted; nothing is used up.
func deleteAlbum(ns *kv.Namespace, id, owner string) error {
	raw, err := ns.GetString("album/"+id, nil)
	if err != nil {
		return err
	}
	var a voucher
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return err
	}
	if a.Venue != owner {
		return errWrongVenue
	}
	return ns.Delete("album/" + id)
}

// Quiet: a claim that deletes another key than the one it read.
func claimSeat(ns *kv.Namespace, seat string) error {
	if _, err := ns.GetString("seat/"+seat, nil); err != nil {
		return err
	}
	return ns.Delete("hold/" + seat)
}

// Quiet: a hold on a table, read and ended by the booking that confirms
// it; no credential is used up.
func confirmBooking(ns *kv.Namespace, table, holdID string) error {
	raw, err := ns.GetString("hold/"+table, nil)
	if err != nil {
		return err
	}
	if raw != holdID {
		return errWrongVenue
	}
	if err := ns.PutString("booking/"+table, holdID, nil); err != nil {
		return err
	}
	return ns.Delete("hold/" + table)
}

// Quiet: items consumed in part are written back, and the key is deleted
// only when none are left: a count, not a one-time code.
func consumeItems(ns *kv.Namespace, player string, n int) error {
	raw, err := ns.GetString("inv:"+player, nil)
	if err != nil || raw == "<null>" {
		return errWrongVenue
	}
	have := len(raw)
	if have == n {
		return ns.Delete("inv:" + player)
	}
	return ns.PutString("inv:"+player, raw[n:], nil)
}

type invite struct {
	Email      string
	RedeemedBy string
}

// An invitation redeemed by marking it used: other locations still see it
// unused, and it can be redeemed twice.
func markRedeemed(ns *kv.Namespace, code, email string) error { // want markRedeemed:"kvsession"
	raw, err := ns.GetString("invitation/"+code, nil)
	if err != nil || raw == "<null>" {
		return errWrongVenue
	}
	var inv invite
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		return err
	}
	inv.RedeemedBy = email
	b, _ := json.Marshal(inv)
	return ns.PutString("invitation/"+code, string(b), nil) // want `An invitation read, changed and written back in KV`
}

type memberList struct{ Emails []string }

// Quiet here: the member list, read, changed and written back, is built
// from an invitation's fields, but is no invitation (kvrace's finding).
func joinTeam(ns *kv.Namespace, team, code string) error {
	raw, err := ns.GetString("invitation/"+code, nil)
	if err != nil || raw == "<null>" {
		return errWrongVenue
	}
	var inv invite
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		return err
	}
	var list memberList
	if cur, err := ns.GetString("members/"+team, nil); err == nil && cur != "<null>" {
		_ = json.Unmarshal([]byte(cur), &list)
	}
	list.Emails = append(list.Emails, inv.Email)
	b, _ := json.Marshal(list)
	return ns.PutString("members/"+team, string(b), nil)
}

type tableHold struct{ ID, Guest string }

func loadHold(ns *kv.Namespace, key string) (tableHold, error) {
	var h tableHold
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return h, errWrongVenue
	}
	return h, json.Unmarshal([]byte(raw), &h)
}

// Quiet: the key names nothing, but what is read is a hold, which the
// booking that confirms it ends.
func confirmSlot(ns *kv.Namespace, key, holdID string) error { // want confirmSlot:"kvsession judged inside"
	h, err := loadHold(ns, key)
	if err != nil {
		return err
	}
	if h.ID != holdID {
		return errWrongVenue
	}
	return ns.Delete(key)
}

type accessCode struct {
	SingleUse bool
	Stale     bool
}

// A code read, then deleted only when it is single-use: used once at the
// location that deleted it.
func openDoor(ns *kv.Namespace, site, code string) error { // want openDoor:"kvsession"
	raw, err := ns.GetString("door:"+site+":"+code, nil)
	if err != nil {
		return err
	}
	var c accessCode
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return err
	}
	if c.SingleUse {
		return ns.Delete("door:" + site + ":" + code) // want `A single-use code revoked or consumed by a KV delete`
	}
	return nil
}

// Quiet: a stale entry is tidied up, not used up.
func lookDoor(ns *kv.Namespace, site, code string) error {
	raw, err := ns.GetString("door:"+site+":"+code, nil)
	if err != nil {
		return err
	}
	var c accessCode
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return err
	}
	if c.Stale {
		return ns.Delete("door:" + site + ":" + code)
	}
	return nil
}

// An operator withdraws a printed one-time code ("otc:"), as a revocation.
func withdrawCode(ns *kv.Namespace, code string) error { // want withdrawCode:"kvsession"
	return ns.Delete("otc:" + code) // want `A one-time code revoked or consumed by a KV delete`
}

// A captcha answered once: its store deletes the answer when it is
// checked, and other locations still hold it, so a solved captcha is
// checked again there.
func verifyCaptcha(ns *kv.Namespace, id, answer string) bool { // want verifyCaptcha:"kvsession"
	want, err := ns.GetString("captcha:"+id, nil)
	if err != nil || want == "<null>" {
		return false
	}
	if err := ns.Delete("captcha:" + id); err != nil { // want `A captcha revoked or consumed by a KV delete`
		return false
	}
	return want == answer
}

// Quiet: the captcha's image settings, published once.
func captchaSettings(ns *kv.Namespace) (string, error) {
	return ns.GetString("captcha:settings", nil)
}
