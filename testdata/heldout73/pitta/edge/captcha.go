//go:build js && wasm

package edge

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mojocn/base64Captcha"
	"github.com/syumai/workers/cloudflare"
)

// captchaLifetime is how long a drawn captcha can be answered, in seconds.
const captchaLifetime = 300

// kvCaptchaStore implements base64Captcha.Store with the Worker's KV
// binding. Keys share the captcha: prefix with the booking API's store.
type kvCaptchaStore struct {
	ns *cloudflare.KVNamespace
}

var _ base64Captcha.Store = kvCaptchaStore{}

func (s kvCaptchaStore) Set(id, value string) error {
	return s.ns.PutString("captcha:"+id, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: captchaLifetime})
}

func (s kvCaptchaStore) Get(id string, clear bool) string {
	v, err := s.ns.GetString("captcha:"+id, nil)
	if err != nil || v == kvNull {
		return ""
	}
	if clear {
		if err := s.ns.Delete("captcha:" + id); err != nil { // EXPECT kvsession
			fmt.Println("captcha clear:", err)
		}
	}
	return v
}

func (s kvCaptchaStore) Verify(id, answer string, clear bool) bool {
	v := s.Get(id, clear)
	return v != "" && strings.EqualFold(v, strings.TrimSpace(answer))
}

func newCaptchaFor(ns *cloudflare.KVNamespace) *base64Captcha.Captcha {
	driver := base64Captcha.NewDriverDigit(80, 240, 5, 0.7, 80)
	return base64Captcha.NewCaptcha(driver, kvCaptchaStore{ns: ns})
}

func newCaptcha(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace) {
	id, b64, _, err := newCaptchaFor(ns).Generate()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q,"image":%q}`, id, b64)
}
