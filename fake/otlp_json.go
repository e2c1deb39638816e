package fake

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// unmarshalOTLPJSON decodes an OTLP/JSON body. OTLP/JSON differs from the
// protobuf JSON mapping in one way that matters here: trace and span IDs
// are hex, not base64, so they are re-encoded before protojson reads them.
func unmarshalOTLPJSON(body []byte, into proto.Message) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep 64-bit timestamps exact
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("decode otlp json: %w", err)
	}
	fixed, err := json.Marshal(hexIDsToBase64(doc, ""))
	if err != nil {
		return fmt.Errorf("re-encode otlp json: %w", err)
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(fixed, into); err != nil {
		return fmt.Errorf("decode otlp json: %w", err)
	}
	return nil
}

// hexIDsToBase64 walks a decoded JSON value, rewriting hex ID fields.
func hexIDsToBase64(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, item := range x {
			x[k] = hexIDsToBase64(item, k)
		}
		return x
	case []any:
		for i, item := range x {
			x[i] = hexIDsToBase64(item, key)
		}
		return x
	case string:
		if (len(x) == 32 || len(x) == 16) && isHexIDKey(key) {
			if b, err := hex.DecodeString(x); err == nil {
				return base64.StdEncoding.EncodeToString(b)
			}
		}
		return x
	default:
		return v
	}
}
