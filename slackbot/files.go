package slackbot

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/slackmsg"
	"github.com/analytics-bot/analytics-bot/tools"
)

// FileSender uploads files into one Slack thread with the
// files.getUploadURLExternal / upload / files.completeUploadExternal flow.
type FileSender struct {
	API       *slack.Client
	ChannelID string
	ThreadTS  string
}

// SendFile implements tools.FileSender.
func (f FileSender) SendFile(ctx context.Context, file tools.File) error {
	fh, err := os.Open(file.Path)
	if err != nil {
		return fmt.Errorf("open %s: %w", file.Name, err)
	}
	defer fh.Close()
	_, err = f.API.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: fh, FileSize: int(file.Size), Filename: slackmsg.Plain(file.Name), Title: slackmsg.Plain(file.Title),
		InitialComment: slackmsg.Plain(file.Comment), Channel: f.ChannelID, ThreadTimestamp: f.ThreadTS,
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", file.Name, err)
	}
	return nil
}

// sendBytes uploads an in-memory file (a chart) into the thread.
func (f FileSender) sendBytes(ctx context.Context, name, title string, data []byte) error {
	_, err := f.API.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(data), FileSize: len(data), Filename: slackmsg.Plain(name), Title: slackmsg.Plain(title),
		Channel: f.ChannelID, ThreadTimestamp: f.ThreadTS,
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", name, err)
	}
	return nil
}
