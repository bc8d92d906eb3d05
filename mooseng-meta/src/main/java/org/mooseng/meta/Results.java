package org.mooseng.meta;

import org.mooseng.common.StatusException;
import org.mooseng.proto.MetaResult;

/** Builders of {@link MetaResult}. */
final class Results {
    private Results() {
    }

    static MetaResult.Builder ok(InodeRecord record) {
        return MetaResult.newBuilder().setStatus(0).setAttr(record.toAttr());
    }

    static MetaResult failed(StatusException e) {
        return MetaResult.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build();
    }
}
