package fake

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Slack's Block Kit rules for modal views, which the fake enforces the way
// Slack does (views.open and views.update answer invalid_arguments). The
// blocks a message may hold too are checked by slack_blocks.go's rules;
// this file adds inputs and the view itself.

// inputElements are the elements an input block may hold.
var inputElements = map[string]bool{
	"plain_text_input": true, "checkboxes": true, "radio_buttons": true, "static_select": true,
	"external_select": true, "users_select": true, "conversations_select": true, "channels_select": true,
	"multi_static_select": true, "multi_external_select": true, "multi_users_select": true,
	"multi_conversations_select": true, "multi_channels_select": true, "datepicker": true, "timepicker": true,
	"datetimepicker": true, "email_text_input": true, "url_text_input": true, "number_input": true,
	"file_input": true, "rich_text_input": true,
}

// modalBlocks are the block types a modal may hold.
var modalBlocks = map[string]bool{
	"actions": true, "context": true, "divider": true, "file": true, "header": true, "image": true,
	"input": true, "section": true, "rich_text": true, "video": true,
}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// checkModal returns "" or why Slack would refuse the view.
func checkModal(v jsonObject) string {
	if t, _ := v["type"].(string); t != "modal" {
		return `view.type must be "modal"`
	}
	if v["title"] == nil {
		return "view.title is required"
	}
	if why := checkTextObject(v["title"], 24, "plain_text"); why != "" {
		return "view.title: " + why
	}
	for _, k := range []string{"submit", "close"} {
		if v[k] != nil {
			if why := checkTextObject(v[k], 24, "plain_text"); why != "" {
				return "view." + k + ": " + why
			}
		}
	}
	if s, _ := v["private_metadata"].(string); chars(s) > 3000 {
		return "view.private_metadata longer than 3000 characters"
	}
	for _, k := range []string{"callback_id", "external_id"} {
		if s, _ := v[k].(string); chars(s) > 255 {
			return "view." + k + " longer than 255 characters"
		}
	}
	blocks, ok := v["blocks"].([]any)
	if !ok {
		return "view.blocks must be an array"
	}
	if len(blocks) > 100 {
		return fmt.Sprintf("view has %d blocks, at most 100", len(blocks))
	}
	ids := map[string]bool{}
	hasInput := false
	for i, raw := range blocks {
		b, ok := raw.(jsonObject)
		if !ok {
			return fmt.Sprintf("blocks[%d] is not an object", i)
		}
		t, _ := b["type"].(string)
		if !modalBlocks[t] {
			return fmt.Sprintf("blocks[%d]: type %q is not allowed in a modal", i, t)
		}
		if why := checkViewBlockID(i, b, ids); why != "" {
			return why
		}
		var why string
		switch t {
		case "input":
			hasInput = true
			why = kitInput(b)
		case "section":
			why = checkSectionBlock(b)
			if acc, ok := b["accessory"].(jsonObject); ok && why == "" {
				why = kitElement(acc)
			}
		case "context":
			why = checkContextBlock(b)
		case "actions":
			why = kitActions(b)
		case "header":
			why = checkTextObject(b["text"], 150, "plain_text")
		}
		if why != "" {
			return fmt.Sprintf("blocks[%d] (%s): %s", i, t, why)
		}
	}
	if hasInput && v["submit"] == nil {
		return "a view with input blocks needs a submit button"
	}
	return ""
}

func kitInput(b jsonObject) string {
	if why := checkTextObject(b["label"], 2000, "plain_text"); why != "" {
		return "label: " + why
	}
	if b["hint"] != nil {
		if why := checkTextObject(b["hint"], 2000, "plain_text"); why != "" {
			return "hint: " + why
		}
	}
	el, ok := b["element"].(jsonObject)
	if !ok {
		return "element is required"
	}
	t, _ := el["type"].(string)
	if !inputElements[t] {
		return fmt.Sprintf("element type %q cannot be in an input block", t)
	}
	return kitElement(el)
}

// kitElement checks an interactive element's own rules.
func kitElement(el jsonObject) string {
	t, _ := el["type"].(string)
	if id, ok := el["action_id"].(string); ok && (id == "" || chars(id) > 255) {
		return "action_id must be 1 to 255 characters"
	}
	if el["placeholder"] != nil {
		if why := checkTextObject(el["placeholder"], 150, "plain_text"); why != "" {
			return "placeholder: " + why
		}
	}
	switch t {
	case "static_select", "multi_static_select", "radio_buttons", "checkboxes":
		return kitOptions(el)
	case "plain_text_input":
		maxLen := 3000
		if m, ok := el["max_length"].(float64); ok {
			if m < 1 || m > 3000 {
				return "max_length must be 1 to 3000"
			}
			maxLen = int(m)
		}
		if s, _ := el["initial_value"].(string); chars(s) > maxLen {
			return "initial_value longer than max_length"
		}
	case "number_input":
		decimal, ok := el["is_decimal_allowed"].(bool)
		if !ok {
			return "is_decimal_allowed is required"
		}
		for _, k := range []string{"initial_value", "min_value", "max_value"} {
			s, ok := el[k].(string)
			if !ok {
				continue
			}
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				return k + " is not a number"
			}
			if _, err := strconv.ParseInt(s, 10, 64); err != nil && !decimal {
				return k + " must be a whole number when is_decimal_allowed is false"
			}
		}
	case "timepicker":
		if s, ok := el["initial_time"].(string); ok && !clockRE.MatchString(s) {
			return `initial_time must be "HH:mm"`
		}
		if tz, ok := el["timezone"].(string); ok {
			if _, err := time.LoadLocation(tz); err != nil || tz == "" {
				return "timezone is not a time zone"
			}
		}
	case "conversations_select", "multi_conversations_select":
		if f, ok := el["filter"].(jsonObject); ok {
			for _, inc := range anySlice(f["include"]) {
				switch inc {
				case "im", "mpim", "private", "public":
				default:
					return fmt.Sprintf("filter.include %v is not a conversation type", inc)
				}
			}
		}
	case "button":
		if why := checkTextObject(el["text"], 75, "plain_text"); why != "" {
			return "button text: " + why
		}
		if s, _ := el["value"].(string); chars(s) > 2000 {
			return "button value longer than 2000 characters"
		}
		if st, ok := el["style"].(string); ok && st != "primary" && st != "danger" {
			return `button style must be "primary" or "danger"`
		}
	}
	return ""
}

func kitOptions(el jsonObject) string {
	opts := anySlice(el["options"])
	if len(opts) == 0 && el["option_groups"] == nil {
		return "options are required"
	}
	if len(opts) > 100 {
		return "at most 100 options"
	}
	values := map[string]bool{}
	for i, raw := range opts {
		o, _ := raw.(jsonObject)
		if why := checkTextObject(o["text"], 75, "plain_text", "mrkdwn"); why != "" {
			return fmt.Sprintf("options[%d]: %s", i, why)
		}
		v, _ := o["value"].(string)
		if v == "" || chars(v) > 150 {
			return fmt.Sprintf("options[%d]: value must be 1 to 150 characters", i)
		}
		values[v] = true
	}
	if init, ok := el["initial_option"].(jsonObject); ok {
		if v, _ := init["value"].(string); !values[v] {
			return fmt.Sprintf("initial_option %q is not one of the options", v)
		}
	}
	return ""
}

func kitActions(b jsonObject) string {
	if why := checkActionsBlock(b); why != "" {
		return why
	}
	els := anySlice(b["elements"])
	ids := map[string]bool{}
	for _, e := range els {
		o, _ := e.(jsonObject)
		if id, _ := o["action_id"].(string); id != "" {
			if ids[id] {
				return fmt.Sprintf("duplicate action_id %q", id)
			}
			ids[id] = true
		}
		if why := kitElement(o); why != "" {
			return why
		}
	}
	return ""
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// checkViewBlockID checks block i's optional block_id as Slack does for a
// view: 1 to 255 characters, unique in the view (ids holds those seen).
func checkViewBlockID(i int, b jsonObject, ids map[string]bool) string {
	id, ok := b["block_id"].(string)
	if !ok {
		return ""
	}
	if id == "" || chars(id) > 255 {
		return fmt.Sprintf("blocks[%d]: block_id must be 1 to 255 characters", i)
	}
	if ids[id] {
		return fmt.Sprintf("blocks[%d]: duplicate block_id %q", i, id)
	}
	ids[id] = true
	return ""
}
