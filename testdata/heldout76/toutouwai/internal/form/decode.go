// Package form decodes url-encoded form posts into structs tagged with
// `schema:"name"` and checks `validate:"..."` rules.
package form

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Errors maps a field's schema name to its message.
type Errors map[string]string

func (e Errors) Error() string {
	parts := make([]string, 0, len(e))
	for k, v := range e {
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, "; ")
}

// Has reports whether field has an error.
func (e Errors) Has(field string) bool { _, ok := e[field]; return ok }

// LocalTime is the layout of datetime-local inputs.
const LocalTime = "2006-01-02T15:04"

// Decode parses r's form into dst, a pointer to a struct, and validates it.
// Validation problems come back as Errors.
func Decode(r *http.Request, dst any) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return errors.New("form: dst must be a pointer to a struct")
	}
	v = v.Elem()
	t := v.Type()
	errs := Errors{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("schema")
		if name == "" || name == "-" {
			continue
		}
		raw := strings.TrimSpace(r.PostForm.Get(name))
		if err := set(v.Field(i), raw); err != nil {
			errs[name] = err.Error()
			continue
		}
		if msg := check(f.Tag.Get("validate"), raw); msg != "" {
			errs[name] = msg
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func set(f reflect.Value, raw string) error {
	if raw == "" {
		return nil
	}
	switch f.Interface().(type) {
	case time.Time:
		t, err := time.ParseInLocation(LocalTime, raw, time.Local)
		if err != nil {
			return errors.New("is not a date and time")
		}
		f.Set(reflect.ValueOf(t))
		return nil
	case time.Duration:
		d, err := time.ParseDuration(raw)
		if err != nil {
			m, err2 := strconv.Atoi(raw)
			if err2 != nil {
				return errors.New("is not a duration")
			}
			d = time.Duration(m) * time.Minute
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return errors.New("is not a whole number")
		}
		f.SetInt(n)
	case reflect.Bool:
		f.SetBool(raw == "on" || raw == "true" || raw == "1")
	default:
		return fmt.Errorf("unsupported field kind %s", f.Kind())
	}
	return nil
}

func check(rules, raw string) string {
	if rules == "" {
		return ""
	}
	for _, rule := range strings.Split(rules, ",") {
		name, arg, _ := strings.Cut(rule, "=")
		switch name {
		case "required":
			if raw == "" {
				return "is required"
			}
		case "max":
			n, _ := strconv.Atoi(arg)
			if len(raw) > n {
				return fmt.Sprintf("must be at most %d characters", n)
			}
		case "min":
			n, _ := strconv.Atoi(arg)
			if raw != "" && len(raw) < n {
				return fmt.Sprintf("must be at least %d characters", n)
			}
		case "email":
			if raw != "" {
				if _, err := mail.ParseAddress(raw); err != nil {
					return "is not an email address"
				}
			}
		case "slug":
			for _, c := range raw {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
					return "may only contain a-z, 0-9 and -"
				}
			}
		}
	}
	return ""
}
