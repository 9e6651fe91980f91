"""A toy mmengine model and dataset: two loss terms, a sample that can
spoil one (``conftest.py``'s ``toy_runner`` trains them).

Named for its folder: pytest puts each test folder on ``sys.path``, and a
test that imported ``conftest`` got whichever folder's came first.
"""
import torch
import torch.nn as nn
from mmengine.model import BaseModel


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode='tensor'):
        out = self.linear(inputs).squeeze(1)
        if mode == 'loss':
            return dict(loss_fit=((out - labels) ** 2).mean(),
                        loss_decay=0.01 * self.linear.weight.square().sum())
        return out


class ToyDataset(torch.utils.data.Dataset):
    """8 samples; ``labels`` of sample ``bad_index`` is ``bad_value``."""
    metainfo = dict(classes=('a', 'b'))

    def __init__(self, bad_index=None, bad_value=float('nan')):
        self.bad_index, self.bad_value = bad_index, bad_value

    def __len__(self):
        return 8

    def __getitem__(self, i):
        label = self.bad_value if i == self.bad_index else i / 8
        return dict(inputs=torch.tensor([i / 8, 1.0]),
                    labels=torch.tensor(label))
