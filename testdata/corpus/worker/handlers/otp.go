package handlers

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1000000))
	return fmt.Sprintf("%06d", n.Int64())
}

// SendOTP stores a one-time code for the phone number. Codes are short-lived.
func SendOTP(w http.ResponseWriter, r *http.Request) {
	phone := r.FormValue("phone")
	codes, err := kv.NewNamespace("OTP")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	code := sixDigits()
	expires := time.Now().Add(30 * time.Second)
	err = codes.PutString("otp:"+phone, code, &kv.PutOptions{Expiration: int(expires.Unix())}) // EXPECT kvttl
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// SendMagicLink stores a login token valid for ten minutes.
func SendMagicLink(w http.ResponseWriter, r *http.Request) {
	email := r.FormValue("email")
	codes, _ := kv.NewNamespace("OTP")
	token := newID()
	exp := time.Now().Unix() + 600
	_ = codes.PutString("magic:"+token, email, &kv.PutOptions{Expiration: int(exp)})
	w.WriteHeader(http.StatusAccepted)
}

// SendSMSCode stores a code with a 45-second validity, as the SMS says.
func SendSMSCode(w http.ResponseWriter, r *http.Request) {
	phone := r.FormValue("phone")
	codes, _ := kv.NewNamespace("OTP")
	_ = codes.PutString("sms:"+phone, sixDigits(), &kv.PutOptions{
		Expiration: int(time.Now().Unix() + 45), // EXPECT kvttl
	})
	w.WriteHeader(http.StatusAccepted)
}

// ResendWindow remembers that a code was sent, for two minutes.
func ResendWindow(w http.ResponseWriter, r *http.Request) {
	phone := r.FormValue("phone")
	codes, _ := kv.NewNamespace("OTP")
	_ = codes.PutString("resend:"+phone, "1", &kv.PutOptions{
		Expiration: int(time.Now().Add(2 * time.Minute).Unix()),
	})
}
