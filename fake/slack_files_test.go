package fake_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/slack-go/slack"
)

func TestSlackUploadFileRoundTrip(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	csv := []byte("day,dau\n2024-01-01,1200\n2024-01-02,1350\n")

	summary, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Reader:          bytes.NewReader(csv),
		FileSize:        len(csv),
		Filename:        "result.csv",
		Title:           "DAU",
		Channel:         "C42",
		ThreadTimestamp: "1700000000.000100",
		InitialComment:  "Here is the export.",
	})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}

	files := s.Files()
	if len(files) != 1 {
		t.Fatalf("files = %d, want 1", len(files))
	}
	f := files[0]
	if summary.ID != f.ID || summary.Title != "DAU" {
		t.Errorf("summary = %+v, stored id %q", summary, f.ID)
	}
	if !bytes.Equal(f.Content, csv) || f.Length != len(csv) || f.Name != "result.csv" {
		t.Errorf("stored file = %+v", f)
	}
	if f.ChannelID != "C42" || f.ThreadTS != "1700000000.000100" || f.InitialComment != "Here is the export." {
		t.Errorf("stored file placement = %+v", f)
	}
	upload := s.CallsTo("upload")
	if len(upload) != 1 || upload[0].Header.Get("Authorization") != "Bearer xoxb-test" {
		t.Errorf("upload calls = %+v", upload)
	}
}

func TestSlackCompleteUnknownUpload(t *testing.T) {
	t.Parallel()
	_, api := setupSlack(t)

	_, err := api.CompleteUploadExternalContext(context.Background(), slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: "FNOPE"}}, Channel: "C1",
	})
	if err == nil || err.Error() != "file_not_found" {
		t.Fatalf("err = %v, want file_not_found", err)
	}
}

func TestSlackUploadRateLimited(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	s.RateLimit("upload", 1, 0)

	_, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Reader: bytes.NewReader([]byte("a")), FileSize: 1, Filename: "a.csv", Channel: "C1",
	})
	if err == nil {
		t.Fatal("want the rate-limited upload step to fail")
	}
	if len(s.Files()) != 0 {
		t.Errorf("files = %+v, want none", s.Files())
	}
}
